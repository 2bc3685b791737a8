"""Tests of graph/catalogue/ and of the shipped catalogue in seeds/ (fixtures: tests/data/seeds/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.catalogue.load import KINDS, Appearance, Catalogue, Lineage, Seed, load_catalogue
from graph.core.errors import BadIdError, SeedFileError, UnknownLineageError, UnknownPaperError
from graph.core.ids import normalize_title, paper_key
from graph.core.settings import default_seeds_path
from graph.store.snapshot import Snapshot, load_snapshot

DATA = Path(__file__).parent / "data" / "seeds"
SEEDS = default_seeds_path()
DOC004 = "004_56bf711ad49a094a.txt"
DOC000 = "000_1226852ca78bbb58.txt"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load_snapshot()


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue(SEEDS)


@pytest.fixture(scope="module")
def links() -> list[dict]:
    return json.loads((DATA / "seed_links_004.json").read_text())["entries"]


# ---------------------------------------------------------------------------------------------------
# the shipped data


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_seeds_file_is_valid(path: Path, shipped: Catalogue) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and set(data) <= {"papers", "lineages"}
    if "papers" in data:
        cat = load_catalogue(path)  # a papers file alone is a valid catalogue
        assert cat.seeds
    if "lineages" in data:
        assert set(data["lineages"]) <= set(shipped.lineages)


def test_default_path_is_the_seeds_folder(shipped: Catalogue) -> None:
    assert load_catalogue() == shipped
    assert len(shipped.seeds) >= 74


def test_shipped_contains_every_entry_of_doc_004(shipped: Catalogue, links: list[dict]) -> None:
    assert len(links) == 74
    found: set[str] = set()
    for e in links:
        if e["arxiv_id"]:
            s = shipped.resolve(e["arxiv_id"])
        elif e["doi"]:
            s = shipped.resolve("DOI:" + e["doi"])
        else:
            s = next(s for s in shipped.seeds.values() if s.url == e["link"])
        assert normalize_title(s.title) == normalize_title(e["title"]), e["line"]
        assert s.doc == DOC004
        assert s.note == e["note"], e["line"]
        assert s.url == e["link"]
        assert s.kind in KINDS
        assert s.section
        found.add(s.alias)
    assert len(found) == 74


def test_non_papers_keep_a_kind_and_url(shipped: Catalogue) -> None:
    kinds = {s.alias: s.kind for s in shipped.seeds.values()}
    assert kinds["sutton-barto"] == "book"
    assert kinds["how-to-scale-your-model"] == "book"
    assert kinds["why-rlhf-not-true-rl"] == "blog"
    assert kinds["claude-3-model-card"] == "report"
    assert kinds["llm-agents-papers"] == "repo"
    assert kinds["ilya-reading-list"] == "list"
    assert kinds["nvidia-mixed-precision"] == "docs"
    for s in shipped.seeds.values():
        if s.kind != "paper":
            assert s.url and s.url.startswith("http"), s.alias


def test_doc_000_arxiv_links_are_all_in_the_catalogue(shipped: Catalogue) -> None:
    text = (DATA / "seed_doc_000.txt").read_text()
    ids = set(re.findall(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", text))
    assert len(ids) == 15
    for i in ids:
        s = shipped.resolve(i)
        assert DOC000 in s.docs


def test_papers_in_both_documents_appear_once(shipped: Catalogue) -> None:
    assert len(shipped.by_key()) == len(shipped.seeds)
    hstu = shipped.resolve("2402.17152")
    assert hstu.alias == "hstu"
    assert hstu.docs == (DOC004, DOC000)
    assert hstu.sections == ("Recommendation as sequence prediction", "Emerging Topics in RecSys")
    assert shipped.seeds["llama-3"].also_in[0].url == "https://ai.meta.com/research/publications/the-llama-3-herd-of-models/"


def test_ids_come_from_the_sources(shipped: Catalogue, links: list[dict]) -> None:
    papers = json.loads((DATA / "papers_ids.json").read_text())["papers"]
    doc000 = (DATA / "seed_doc_000.txt").read_text()
    arxiv_ok = {e["arxiv_id"] for e in links if e["arxiv_id"]} | {p["arxiv_id"] for p in papers if p["arxiv_id"]}
    doi_ok = {e["doi"].lower() for e in links if e["doi"]} | {p["doi"].lower() for p in papers if p["doi"]}
    for s in shipped.seeds.values():
        if s.arxiv_id:
            assert s.arxiv_id in arxiv_ok or s.arxiv_id in doc000, s.alias
        if s.doi:
            assert s.doi in doi_ok, s.alias
        assert s.s2_id is None
        assert s.source, s.alias


def test_required_lineages_exactly(shipped: Catalogue) -> None:
    po = shipped.get_lineage("preference-optimization")
    assert po.stages == (("dpo",), ("ipo", "kto", "orpo"), ("grpo",), ("gspo", "dr-grpo"))
    us = shipped.get_lineage("user-sequence-modeling")
    assert us.stages == (("din",), ("sim",), ("transact",))
    assert us.members == ("bst",)
    at = shipped.get_lineage("attention")
    assert at.stages == (("bahdanau-attention", "lstmn"), ("transformer",), ("bert",))
    assert shipped.seeds["grpo"].arxiv_id == "2402.03300"
    assert shipped.seeds["dr-grpo"].arxiv_id == "2503.20783"
    assert shipped.seeds["bahdanau-attention"].arxiv_id == "1409.0473"
    assert shipped.seeds["lstmn"].arxiv_id == "1601.06733"
    for name in ("two-tower-retrieval", "multi-task-ranking", "early-alignment", "semantic-ids-generative-retrieval",
                 "llm-reports", "calibration", "exploration"):
        lin = shipped.get_lineage(name)
        assert lin.description and len(lin.stages) >= 2


def test_chains_follow_the_dates(shipped: Catalogue) -> None:
    fixed = {"preference-optimization", "user-sequence-modeling", "attention"}  # given by the brief
    for lin in shipped.lineages.values():
        if lin.name in fixed:
            continue
        prev: list[str] = []
        for stage in lin.stages:
            dates = [shipped.seeds[a].date or str(shipped.seeds[a].year or "") for a in stage]
            for d in dates:
                for p in prev:
                    if d and p:
                        n = min(len(p), len(d), 7)
                        assert p[:n] <= d[:n], (lin.name, stage)
            prev = [d for d in dates if d]


def test_sections_are_the_document_headings(shipped: Catalogue) -> None:
    headings = {
        "Training guides", "GRPO and variants", "Technical reports", "Efficiency efforts", "Prompting",
        "Early alignment efforts", "Value modeling", "Training multi-task models", "Calibration",
        "Feature engineering", "Sequence feature modeling", "Trainable embeddings", "Pretrained embeddings",
        "Two tower model", "User interest exploration", "Item exploration", "Recommendation as sequence prediction",
        "Miscellaneous", "Reinforcement learning", "Image models", "Attention mechanism",
        "Foundations of Deep Learning", "LLM Trends + Details", "Model Serving and Deployment",
        "Emerging Topics in RecSys",
    }
    assert set(shipped.sections) == headings
    assert shipped.seeds["din"].section == "Sequence feature modeling"
    assert shipped.seeds["mmoe"].section == "Training multi-task models"


def test_seed_lineages_match_the_declarations(shipped: Catalogue) -> None:
    for s in shipped.seeds.values():
        for name in s.lineages:
            assert s.alias in shipped.get_lineage(name).aliases
    assert set(shipped.seeds["hstu"].lineages) >= {"semantic-ids-generative-retrieval", "sequential-recommendation"}


# ---------------------------------------------------------------------------------------------------
# accepted forms


def test_minimal_form() -> None:
    cat = load_catalogue(DATA / "good_minimal.yaml")
    assert list(cat.seeds) == ["dpo", "kto"]
    assert cat.seeds["dpo"] == Seed(alias="dpo", arxiv_id="2305.18290", lineages=("my-chain",))
    assert cat.seeds["kto"].title == "KTO: Model Alignment as Prospect Theoretic Optimization"
    assert cat.get_lineage("my-chain") == Lineage("my-chain", (("dpo",), ("kto",)))
    assert cat.get_lineage("my-chain").arrows() == [("dpo", "kto")]
    assert cat.path.endswith("good_minimal.yaml")


def test_full_form() -> None:
    cat = load_catalogue(str(DATA / "good_full.yaml"))
    assert cat.seeds["dpo"].arxiv_id == "2305.18290"  # unquoted, still text
    assert cat.seeds["dpo"].year == 2023 and cat.seeds["dpo"].date == "2023-05-29"
    assert cat.seeds["ipo"].arxiv_id == "2310.12036"
    assert cat.seeds["kto"].arxiv_id == "2402.01306"
    assert cat.seeds["youtube-dnn"].doi == "10.1145/2959100.2959190"
    po = cat.get_lineage("po")
    assert po.stages == (("dpo",), ("ipo", "kto")) and po.members == ("youtube-dnn",)
    assert po.description == "preference optimization"
    assert po.aliases == ("dpo", "ipo", "kto", "youtube-dnn")
    assert cat.get_lineage("rl-books").members == ("sutton-barto",)
    assert cat.seeds["sutton-barto"].also_in == (Appearance(doc="other.txt", section="Books"),)
    assert cat.seeds["youtube-dnn"].lineages == ("po", "plain")


def test_folder_with_plain_lineages_mapping(tmp_path: Path) -> None:
    (tmp_path / "papers.yaml").write_text('- {alias: a, arxiv: "2305.18290"}\n- {alias: b, title: B paper}\n')
    (tmp_path / "lineages.yaml").write_text("ab: [a, b]\n")
    cat = load_catalogue(tmp_path)
    assert cat.get_lineage("ab").stages == (("a",), ("b",))


def test_bibtex() -> None:
    cat = load_catalogue(DATA / "good_refs.bib")
    assert set(cat.seeds) == {"rafailov2023dpo", "covington-2016", "vaswani2017"}
    dpo = cat.seeds["rafailov2023dpo"]
    assert dpo.arxiv_id == "2305.18290" and dpo.year == 2023
    assert dpo.title == "Direct Preference Optimization: Your Language Model is Secretly a Reward Model"
    assert dpo.org == "Rafailov, Rafael et al."
    assert cat.seeds["covington-2016"].doi == "10.1145/2959100.2959190"
    assert cat.seeds["vaswani2017"].arxiv_id == "1706.03762"
    lin = cat.get_lineage("good-refs")  # named after the file, ordered by year
    assert lin.stages == (("covington-2016",), ("vaswani2017",), ("rafailov2023dpo",))


def test_text_list() -> None:
    cat = load_catalogue(DATA / "good_list.txt")
    seeds = list(cat.seeds.values())
    assert [s.arxiv_id for s in seeds[:3]] == ["2305.18290", "2402.01306", "1706.03762"]
    assert seeds[3].doi == "10.1145/2959100.2959190"
    assert seeds[4].title == "Attention Is Not All You Need" and seeds[4].key.startswith("title:")
    lin = cat.get_lineage("good-list")
    assert [st[0] for st in lin.stages] == [s.alias for s in seeds]  # file order


def test_text_list_without_suffix(tmp_path: Path, snapshot: Snapshot) -> None:
    p = tmp_path / "reading"
    p.write_text("1409.0473\n\n# comment\n1706.03762\n")
    cat = load_catalogue(p, snapshot=snapshot)
    assert cat.get_lineage("reading").arrows() == [("bahdanau2014", "vaswani2017")]
    # without a paper index nothing but the line is known: no id-shaped alias either
    assert load_catalogue(p).get_lineage("reading").arrows() == [("paper-1", "paper-4")]


# ---------------------------------------------------------------------------------------------------
# aliases of generated entries and LaTeX decoding


def test_generated_aliases_are_readable_and_stable(snapshot: Snapshot) -> None:
    """Author + year or a short title, never an id or a cut title; the same file gives the same aliases."""
    for name in ("user_list.txt", "user_list.bib"):
        cat = load_catalogue(DATA / name, snapshot=snapshot)
        again = load_catalogue(DATA / name, snapshot=snapshot)
        assert list(cat.seeds) == list(again.seeds)
        for alias, seed in cat.seeds.items():
            assert not re.match(r"^(arxiv|doi|s2)-", alias), alias
            assert not re.search(r"\d{4}\.\d{4,5}|10\.\d{4}", alias), alias
            if seed.title and "-" in alias and not alias.startswith("paper-"):
                words = alias.split("-")
                assert len(words) <= 3 and all(w in normalize_title(seed.title).replace(" ", "") for w in words)
    txt = load_catalogue(DATA / "user_list.txt", snapshot=snapshot)
    assert list(txt.seeds) == ["dosovitskiy2020", "rafailov2023", "ethayarajh2024", "scalable-diffusion-models",
                               "covington2016", "caron2021", "hu2021", "paper-9"]
    bib = load_catalogue(DATA / "user_list.bib", snapshot=snapshot)
    # readable citation keys are kept; id-like ones (DBLP:…) become author + year or a short title
    assert list(bib.seeds) == ["ethayarajh2024", "lambert2024tulu", "scalable-diffusion-models",
                               "kopf2023openassistant", "ghost2025", "nobody2021"]


def test_alias_collisions_get_letters(tmp_path: Path, snapshot: Snapshot) -> None:
    p = tmp_path / "two.bib"
    p.write_text("@misc{DBLP:a/1, title={First}, author={Smith, Ann}, year={2020}}\n"
                 "@misc{DBLP:a/2, title={Second}, author={Smith, Bob}, year={2020}}\n"
                 "@misc{DBLP:a/3, title={Third}, author={Smith, Cy}, year={2020}}\n"
                 "@misc{smith2020, title={Fourth}, author={Smith, Di}, year={2020}}\n")
    cat = load_catalogue(p)
    # the readable key keeps its name; derived aliases take the next letters, in file order
    assert [s.title for s in cat.seeds.values()] == ["First", "Second", "Third", "Fourth"]
    assert list(cat.seeds) == ["smith2020b", "smith2020c", "smith2020d", "smith2020"]


def test_bibtex_is_decoded_from_latex(tmp_path: Path) -> None:
    p = tmp_path / "latex.bib"
    p.write_text(r"""@article{k1,
  title = {{KTO}: {\"u}ber Prospect Theory -- and {B}eyond},
  author = {M{\"u}ller, J{\"o}rg and Ethayarajh, Kawin},
  year = {2024},
  url = {https://example.org/paper%20one.pdf},
  note = {see arXiv:2402.01306}
}
""", encoding="utf-8")
    seed = load_catalogue(p).seeds["k1"]
    assert seed.title == "KTO: über Prospect Theory – and Beyond"
    assert seed.org == "Müller, Jörg et al."
    assert seed.url == "https://example.org/paper%20one.pdf"  # id fields are read raw: % is no LaTeX comment
    assert seed.arxiv_id == "2402.01306"


def test_user_bib_titles_decoded(snapshot: Snapshot) -> None:
    bib = load_catalogue(DATA / "user_list.bib", snapshot=snapshot)
    assert bib.seeds["lambert2024tulu"].title == "Tülu 3: Pushing Frontiers in Open Language Model Post-Training"
    assert bib.seeds["kopf2023openassistant"].title == ("OpenAssistant Conversations – Democratizing Large "
                                                        "Language Model Alignment")
    assert bib.seeds["kopf2023openassistant"].org == "Köpf, Andreas"
    # the url-only and DOI-only entries got their ids from the url / doi fields
    assert bib.seeds["lambert2024tulu"].arxiv_id == "2411.15124"
    assert bib.seeds["scalable-diffusion-models"].doi == "10.1109/iccv51070.2023.00387"


# ---------------------------------------------------------------------------------------------------
# precise errors


@pytest.mark.parametrize(
    ("name", "line", "needles"),
    [
        ("bad_yaml.yaml", 4, ["malformed YAML", "line 3"]),
        ("bad_no_alias.yaml", 3, ["no alias", "alias:"]),
        ("bad_alias_chars.yaml", 3, ["'My Paper!'", "my-paper"]),
        ("bad_duplicate.yaml", 4, ["'dpo'", "lines 2 and 4"]),
        ("bad_unknown_alias.yaml", 7, ["'ktoo'", "did you mean 'kto'"]),
        ("bad_cycle_in_lineage.yaml", 8, ["'dpo'", "cycle", "lines 6 and 8"]),
        ("bad_cycle_across.yaml", 6, ["cycle", "dpo -> kto -> grpo -> dpo", "'forward'", "'backward'"]),
        ("bad_arxiv.yaml", 3, ["'2402.0130x'", "arXiv id", "2305.18290"]),
        ("bad_doi.yaml", 4, ["'11.1145/2959100'", "DOI", "10.1145/"]),
        ("bad_empty.yaml", 2, ["no papers", "papers:"]),
        ("bad_unknown_content.yaml", 1, ["not a seeds catalogue", "name, version"]),
        ("bad_list.txt", 2, ["'arXiv:2402.0130x'"]),
        ("bad_refs.bib", 3, ["malformed BibTeX", "broken"]),
    ],
)
def test_precise_errors(name: str, line: int, needles: list[str]) -> None:
    with pytest.raises(SeedFileError) as ei:
        load_catalogue(DATA / name)
    err = ei.value
    msg = str(err)
    assert name in msg and f"{name}:{line}:" in msg, msg
    assert err.line == line and err.path.endswith(name)
    assert err.hint
    for n in needles:
        assert n in msg, (n, msg)
    assert err.exit_code == 2


def test_missing_file_names_it_and_hints(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SeedFileError) as ei:
        load_catalogue(missing)
    assert "nope.yaml" in str(ei.value) and "not found" in str(ei.value)
    assert "--seeds" in (ei.value.hint or "") and "LINEAGE_SEEDS" in (ei.value.hint or "")


def test_folder_without_papers(tmp_path: Path) -> None:
    with pytest.raises(SeedFileError, match=r"no papers\.yaml"):
        load_catalogue(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "seeds.dat"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SeedFileError, match="not a text file"):
        load_catalogue(p)


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ('papers:\n  - {alias: a, arxv: "2305.18290"}\n', "did you mean 'arxiv'", 2),
        ('papers:\n  - {alias: a, title: T, kind: video}\n', "unknown kind 'video'", 2),
        ('papers:\n  - {alias: a, title: T, year: 23}\n', "bad year '23'", 2),
        ('papers:\n  - {alias: a, title: T, date: 2023-13-01}\n', "bad date '2023-13-01'", 2),
        ('papers:\n  - {alias: a}\n', "no arxiv, doi, s2 or title", 2),
        ('papers:\n  - {alias: a, title: T, s2: xyz}\n', "malformed S2 id 'xyz'", 2),
        ('papers:\n  - {alias: a, title: T}\n  - {alias: b, arxiv: "1706.03762"}\n'
         '  - {alias: c, arxiv: "1706.03762v2"}\n', "same paper", 4),
        ('papers:\n  - 2305.18290\n', "alias", 2),
        ('papers:\n  - {alias: a, title: T}\nlineages:\n  x: [[a], []]\n', "empty stage", 4),
        ('papers:\n  - {alias: a, title: T}\nlineages:\n  "Bad Name": [[a]]\n', "bad lineage name 'Bad Name'", 4),
        ('papers:\n  - {alias: "2305.18290", title: T}\n', "bad alias '2305.18290'", 2),
    ],
)
def test_more_precise_errors(tmp_path: Path, text: str, needle: str, line: int) -> None:
    p = tmp_path / "cat.yaml"
    p.write_text(text)
    with pytest.raises(SeedFileError) as ei:
        load_catalogue(p)
    assert needle in str(ei.value)
    assert ei.value.line == line, str(ei.value)
    assert "cat.yaml" in str(ei.value)


# ---------------------------------------------------------------------------------------------------
# Catalogue API


def test_resolve(shipped: Catalogue) -> None:
    assert shipped.resolve("dpo").alias == "dpo"
    assert shipped.resolve("DPO").alias == "dpo"
    for ref in ("2305.18290", "arXiv:2305.18290v3", "https://arxiv.org/abs/2305.18290", "arxiv.org/pdf/2305.18290"):
        if ref.startswith("arxiv.org"):
            continue
        assert shipped.resolve(ref).alias == "dpo", ref
    assert shipped.resolve("DOI:10.1145/2959100.2959190").alias == "youtube-dnn"
    assert shipped.resolve("https://doi.org/10.1145/2959100.2959190").alias == "youtube-dnn"
    assert shipped.resolve("10.1145/2959100.2959190").alias == "youtube-dnn"
    assert shipped.resolve("Attention Is All You Need").alias == "transformer"
    with pytest.raises(UnknownPaperError) as ei:
        shipped.resolve("dpoo")
    assert "dpo" in (ei.value.hint or "")
    with pytest.raises(UnknownPaperError):
        shipped.resolve("9999.99999")
    with pytest.raises(BadIdError):
        shipped.resolve("arXiv:23x5")


def test_resolve_s2_id() -> None:
    sha = "a" * 40
    cat = Catalogue({"x": Seed(alias="x", s2_id=sha, title="X")}, {})
    assert cat.resolve(sha).alias == "x"
    assert cat.resolve("s2:" + sha).alias == "x"
    assert cat.seeds["x"].key == paper_key(s2_id=sha, title="X") and cat.seeds["x"].s2_query_id() == sha
    assert Seed(alias="y", s2_id=sha).key == f"s2:{sha}"


def test_seed_key_and_query_id(shipped: Catalogue) -> None:
    assert shipped.seeds["dpo"].key == "arxiv:2305.18290"
    assert shipped.seeds["dpo"].s2_query_id() == "ARXIV:2305.18290"
    assert shipped.seeds["youtube-dnn"].key == "doi:10.1145/2959100.2959190"
    assert shipped.seeds["youtube-dnn"].s2_query_id() == "DOI:10.1145/2959100.2959190"
    assert shipped.seeds["sutton-barto"].s2_query_id() is None
    assert shipped.seeds["sutton-barto"].key == "title:reinforcement learning an introduction"


def test_get_lineage_unknown(shipped: Catalogue) -> None:
    with pytest.raises(UnknownLineageError, match="attentoin") as ei:
        shipped.get_lineage("attentoin")
    assert "attention" in (ei.value.hint or "")


def test_with_added(shipped: Catalogue) -> None:
    simpo = Seed(alias="simpo", title="SimPO", arxiv_id="2405.14734")
    again = Seed(alias="dpo-again", arxiv_id="2305.18290")
    cat = shipped.with_added([simpo, again], lineage="preference-optimization")
    assert "simpo" in cat.seeds and "dpo-again" not in cat.seeds
    assert cat.get_lineage("preference-optimization").stages[-1] == ("simpo",)
    assert cat.seeds["simpo"].lineages == ("preference-optimization",)
    assert "simpo" not in shipped.seeds  # the original is unchanged
    new = cat.with_added([Seed(alias="x1", title="X one")], lineage="mine")
    assert new.get_lineage("mine").stages == (("x1",),)
    with pytest.raises(SeedFileError, match="already used"):
        shipped.with_added([Seed(alias="dpo", arxiv_id="2405.14734")])
    with pytest.raises(SeedFileError, match="cycle"):
        shipped.with_added([shipped.seeds["dpo"]], lineage="calibration").with_added(
            [shipped.seeds["cost-sensitive-learning"]], lineage="early-alignment")
    assert load_catalogue_text(cat.to_yaml()) == cat


def load_catalogue_text(text: str, tmp: Path | None = None) -> Catalogue:
    import tempfile

    d = Path(tempfile.mkdtemp()) if tmp is None else tmp
    p = d / "cat.yaml"
    p.write_text(text, encoding="utf-8")
    return load_catalogue(p)


def test_shipped_round_trip(shipped: Catalogue, tmp_path: Path) -> None:
    again = load_catalogue_text(shipped.to_yaml(), tmp_path)
    assert again == shipped
    assert list(again.seeds) == list(shipped.seeds)


# ---------------------------------------------------------------------------------------------------
# hypothesis round trip

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=25).map(str.strip).filter(bool)
_opt_text = st.one_of(st.none(), _text)


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    aliases = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=6,
                            unique=True))
    seeds: list[Seed] = []
    for i, alias in enumerate(aliases):
        has_arxiv = draw(st.booleans())
        arxiv = f"{draw(st.integers(7, 25)):02d}{draw(st.integers(1, 12)):02d}.{i:05d}" if has_arxiv else None
        title = draw(_opt_text)
        if not arxiv:
            title = f"{title or 'paper'} n{i}"
        seeds.append(Seed(
            alias=alias, title=title, kind=draw(st.sampled_from(KINDS)), arxiv_id=arxiv,
            doi=draw(st.one_of(st.none(), st.just(f"10.1145/{i}.{i + 1}"))),
            year=draw(st.one_of(st.none(), st.integers(1900, 2100))),
            date=draw(st.one_of(st.none(), st.from_regex(r"20[0-2]\d(-0[1-9](-1[0-9])?)?", fullmatch=True))),
            org=draw(_opt_text), section=draw(_opt_text), note=draw(_opt_text), doc=draw(_opt_text),
            url=draw(_opt_text), source=draw(_opt_text),
            also_in=tuple(draw(st.lists(st.builds(Appearance, doc=_opt_text, section=_opt_text, note=_opt_text,
                                                  url=_opt_text), max_size=2))),
        ))
    lineages: dict[str, Lineage] = {}
    for n in range(draw(st.integers(0, 3))):
        chosen = sorted(draw(st.sets(st.integers(0, len(aliases) - 1), max_size=len(aliases))))
        cut = draw(st.integers(0, len(chosen)))
        chain, members = chosen[:cut], chosen[cut:]
        stages: list[tuple[str, ...]] = []
        for idx in chain:  # indices increase along every chain: no cycles across lineages
            if stages and draw(st.booleans()):
                stages[-1] = (*stages[-1], aliases[idx])
            else:
                stages.append((aliases[idx],))
        name = f"lin-{n}"
        lineages[name] = Lineage(name, tuple(stages), tuple(aliases[i] for i in members), draw(_opt_text))
    out = {}
    for s in seeds:
        names = tuple(n for n, lin in lineages.items() if s.alias in lin.aliases)
        out[s.alias] = Seed(**{**vars(s), "lineages": names})
    return Catalogue(out, lineages, "generated")


@settings(max_examples=40, deadline=None)
@given(catalogues())
def test_to_yaml_round_trip(cat: Catalogue) -> None:
    assert load_catalogue_text(cat.to_yaml()) == cat


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=80)), st.one_of(st.none(), st.text(max_size=30)),
                          st.one_of(st.none(), st.integers(1900, 2030))), max_size=12))
def test_derived_aliases_are_valid_and_unique(entries: list[tuple[str | None, str | None, int | None]]) -> None:
    from graph.catalogue.aliases import alias_for
    from graph.catalogue.model import ALIAS_RE
    from graph.core.ids import parse_paper_ref

    taken: set[str] = set()
    out = [alias_for(title=t, first_author=a, year=y, taken=taken, number=i + 1) for i, (t, a, y) in enumerate(entries)]
    assert len(set(out)) == len(out)
    for alias in out:
        assert ALIAS_RE.match(alias) and parse_paper_ref(alias).alias == alias
        base = re.sub(r"-\d+$", "", alias)  # a title alias taken twice gets -2, -3, …
        assert len(base.split("-")) <= 3 or alias.startswith("paper-")
