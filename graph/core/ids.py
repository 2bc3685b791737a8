"""Identifiers: parse, validate and normalise arXiv ids, DOIs, S2 ids and titles.

A node of the graph is keyed by :func:`paper_key`: ``arxiv:<id>`` when the paper has an arXiv id,
else ``doi:<doi>``, else ``title:<normalised title>``, else ``s2:<paperId>``. Titles come before S2 ids
so that a reference read from a paper's bibliography (title only) and the same paper fetched from
Semantic Scholar (paperId, title) get the same key. The same paper gets the
same key offline (snapshot) and online (Semantic Scholar returns ``externalIds``), which is what makes
the two graphs comparable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from graph.core.errors import BadIdError

__all__ = [
    "PaperRef",
    "UnionFind",
    "candidate_pairs",
    "doi_problem",
    "find_duplicates",
    "is_access_note",
    "is_generic_title",
    "is_junk_title",
    "normalize_arxiv",
    "normalize_doi",
    "normalize_title",
    "paper_key",
    "parse_paper_ref",
    "same_work",
    "same_work_title",
    "surname",
    "title_digits",
    "titles_agree",
]

_NEW_ARXIV = re.compile(r"^(\d{4})\.(\d{4,5})(v\d+)?$")
_OLD_ARXIV = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?)/(\d{7})(v\d+)?$")
_S2_SHA = re.compile(r"^[0-9a-f]{40}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_arxiv(value: str) -> str:
    """Return the arXiv id without prefix or version, or raise :class:`BadIdError`.

    Examples
    --------
    >>> normalize_arxiv("arXiv:2305.18290v3")
    '2305.18290'
    >>> normalize_arxiv("https://arxiv.org/abs/1706.03762")
    '1706.03762'
    >>> normalize_arxiv("hep-th/9901001")
    'hep-th/9901001'
    """
    v = value.strip()
    v = re.sub(r"^(https?://)?(www\.)?(export\.)?arxiv\.org/(abs|pdf|html)/", "", v, flags=re.I)
    v = re.sub(r"^arxiv:", "", v, flags=re.I)
    v = re.sub(r"\.pdf$", "", v)
    m = _NEW_ARXIV.match(v)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    m = _OLD_ARXIV.match(v)
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    raise BadIdError(value, "arXiv id", "an arXiv id looks like 2305.18290 or arXiv:2305.18290")


def normalize_doi(value: str) -> str:
    """Return the DOI lower-cased without prefix, or raise :class:`BadIdError`.

    Examples
    --------
    >>> normalize_doi("DOI:10.1145/2959100.2959190")
    '10.1145/2959100.2959190'
    >>> normalize_doi("https://doi.org/10.18653/V1/N19-1423")
    '10.18653/v1/n19-1423'
    """
    v = value.strip()
    v = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", v, flags=re.I)
    v = re.sub(r"^doi:\s*", "", v, flags=re.I)
    v = v.lower()
    if not _DOI.match(v):
        raise BadIdError(value, "DOI", "a DOI looks like 10.1145/2959100.2959190 or DOI:10.1145/2959100.2959190")
    return v


def _is_word_char(c: str) -> bool:
    if c.isascii():
        return c.isalnum()
    cat = unicodedata.category(c)
    return (cat[0] == "L" and cat != "Lm") or cat[0] == "N"


def normalize_title(title: str | None) -> str:
    """Lower-case, strip accents and collapse non-alphanumerics to single spaces.

    Examples
    --------
    >>> normalize_title("Attention Is All You Need!")
    'attention is all you need'
    >>> normalize_title("Let’s Verify Step-by-Step")
    'let s verify step by step'
    >>> normalize_title("Attention 注意力"), normalize_title("Über Café")
    ('attention 注意力', 'uber cafe')
    """
    if not title:
        return ""
    t = unicodedata.normalize("NFKD", title)
    t = "".join(c for c in t if not unicodedata.combining(c))
    # letters and digits of every script are kept; modifier letters (PDF accent debris such as "ˇ") are not
    t = "".join(c if _is_word_char(c) else " " for c in t.lower())
    return " ".join(t.split())


def paper_key(*, arxiv_id: str | None = None, doi: str | None = None, s2_id: str | None = None,
              title: str | None = None) -> str:
    """The canonical node key of a paper (see module docstring).

    Examples
    --------
    >>> paper_key(arxiv_id="2305.18290", doi="10.1/x")
    'arxiv:2305.18290'
    >>> paper_key(doi="10.1145/2959100.2959190")
    'doi:10.1145/2959100.2959190'
    >>> paper_key(title="Language models are few-shot learners", s2_id="ab" * 20)
    'title:language models are few shot learners'
    >>> paper_key(s2_id="ab" * 20)
    's2:abababababababababababababababababababab'
    """
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi.lower()}"
    nt = normalize_title(title)
    if nt:
        return f"title:{nt[:200]}"
    if s2_id:
        return f"s2:{s2_id}"
    raise ValueError("a paper needs an arXiv id, a DOI, a title or an S2 id")


@dataclass(frozen=True)
class PaperRef:
    """A parsed user reference to a paper: exactly one of the fields is set."""

    alias: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    s2_id: str | None = None
    corpus_id: str | None = None

    def s2_query_id(self) -> str:
        """The id form Semantic Scholar's Graph API accepts for this reference."""
        if self.arxiv_id:
            return f"ARXIV:{self.arxiv_id}"
        if self.doi:
            return f"DOI:{self.doi}"
        if self.corpus_id:
            return f"CorpusId:{self.corpus_id}"
        if self.s2_id:
            return self.s2_id
        raise ValueError("an alias has no Semantic Scholar id form")

    def key(self) -> str | None:
        """The node key when it can be known without a lookup."""
        if self.arxiv_id or self.doi:
            return paper_key(arxiv_id=self.arxiv_id, doi=self.doi)
        return None


def parse_paper_ref(value: str) -> PaperRef:
    """Parse what a user typed: alias, ``2305.18290``, ``arXiv:…``, ``DOI:…``, S2 sha, ``CorpusId:…``.

    Examples
    --------
    >>> parse_paper_ref("arXiv:2305.18290")
    PaperRef(alias=None, arxiv_id='2305.18290', doi=None, s2_id=None, corpus_id=None)
    >>> parse_paper_ref("dpo").alias
    'dpo'
    >>> parse_paper_ref("10.1145/2959100.2959190").doi
    '10.1145/2959100.2959190'
    >>> try:
    ...     parse_paper_ref("arXiv:23x5")
    ... except BadIdError as e:
    ...     print(e)
    malformed arXiv id 'arXiv:23x5' (an arXiv id looks like 2305.18290 or arXiv:2305.18290)
    """
    v = value.strip()
    if not v:
        raise BadIdError(value, "paper reference", "give a seed alias, an arXiv id, DOI:... or an S2 id")
    low = v.lower()
    if low.startswith(("arxiv:", "http://arxiv.org", "https://arxiv.org")) or _NEW_ARXIV.match(v):
        return PaperRef(arxiv_id=normalize_arxiv(v))
    if low.startswith(("doi:", "10.", "https://doi.org", "http://doi.org", "https://dx.doi.org")):
        return PaperRef(doi=normalize_doi(v))
    if low.startswith("corpusid:"):
        cid = v.split(":", 1)[1].strip()
        if not cid.isdigit():
            raise BadIdError(value, "CorpusId", "a CorpusId is a number, e.g. CorpusId:258959321")
        return PaperRef(corpus_id=cid)
    if low.startswith("s2:"):
        v = v[3:]
        low = v.lower()
    if _S2_SHA.match(low):
        return PaperRef(s2_id=low)
    if re.match(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", v):
        return PaperRef(alias=v)
    raise BadIdError(value, "paper reference",
                     "give a seed alias (see 'lineage seeds'), an arXiv id, DOI:... or a 40-hex S2 id")


class UnionFind:
    """Union-find over record tokens that refuses to join two different arXiv ids or two "primary"
    records (e.g. two raw files): those are two papers that merely share a DOI or a title.

    Shared by the snapshot build (``scripts/build_snapshot.py``) and :func:`graph.build.expand.merge_duplicates`.

    Examples
    --------
    >>> uf = UnionFind()
    >>> _ = uf.add("bert-arxiv", arxiv="1810.04805"); _ = uf.add("bert-doi"); _ = uf.add("gpt2", arxiv="1902.0")
    >>> uf.union("bert-arxiv", "bert-doi"), uf.union("bert-doi", "gpt2"), uf.refused
    (True, False, 1)
    >>> uf.find("bert-doi") == uf.find("bert-arxiv") != uf.find("gpt2")
    True
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.arxiv: dict[str, str] = {}
        """root → the arXiv id of its component (at most one)."""
        self.primary: dict[str, int] = {}
        """root → the index of its component's primary record (at most one)."""
        self.refused = 0
        """How many unions were refused."""

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def add(self, tok: str, *, arxiv: str | None = None) -> str:
        """Register a token (with its arXiv id, if any); returns its root."""
        if tok not in self.parent:
            self.parent[tok] = tok
            if arxiv:
                self.arxiv[tok] = arxiv
        return self.find(tok)

    def union(self, a: str, b: str) -> bool:
        """Join the components of a and b unless that joins two arXiv ids or two primaries."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        xa, xb = self.arxiv.get(ra), self.arxiv.get(rb)
        pa, pb = self.primary.get(ra), self.primary.get(rb)
        if (xa and xb and xa != xb) or (pa is not None and pb is not None and pa != pb):
            self.refused += 1
            return False
        self.parent[rb] = ra
        if xb and not xa:
            self.arxiv[ra] = xb
        if pb is not None and pa is None:
            self.primary[ra] = pb
        return True


# ---------------------------------------------------------------- identity rules (snapshot build, duplicates)

_ARXIV_DOI_PREFIX = "10.48550/arxiv."


def doi_problem(doi: str) -> str | None:
    """Why a normalised DOI cannot identify one work (``None`` when it can).

    Bibliographies print truncated DOIs (``10.18653/v1/``, ``10.1016/j``, ``10.1109/icdm``): used as
    ids they would glue different papers together. A DOI is refused when its suffix is empty or ends
    in a separator, when it holds no digit (every truncated form seen; it also refuses the rare valid
    all-letter suffix, whose reference then matches by title), or when an arXiv DOI holds no arXiv id.

    Examples
    --------
    >>> doi_problem("10.18653/v1/n19-1423") is None
    True
    >>> doi_problem("10.18653/v1/"), doi_problem("10.1109/icdm"), doi_problem("10.48550/arxiv.23")
    ('truncated', 'no digit in suffix', 'bad arXiv DOI')
    >>> doi_problem("10.18653/v1/2020"), doi_problem("10.18653/v1/2020.emnlp-main.550")
    ('truncated', None)
    """
    prefix, _, suffix = doi.partition("/")
    if not suffix or not re.match(r"^10\.\d{4,9}$", prefix):
        return "no suffix"
    if suffix[-1] in "/.-_:;,(":
        return "truncated"
    if not re.search(r"\d", suffix):
        return "no digit in suffix"
    if "/" in suffix and re.fullmatch(r"(19|20)\d\d", suffix.rsplit("/", 1)[1]):
        return "truncated"  # 10.18653/v1/2020: the venue part is missing
    if doi.startswith(_ARXIV_DOI_PREFIX):
        try:
            normalize_arxiv(doi[len(_ARXIV_DOI_PREFIX):])
        except BadIdError:
            return "bad arXiv DOI"
    elif doi.startswith("10.48550/"):
        return "bad arXiv DOI"
    return None


def _words(text: str) -> list[str]:
    return text.split()


# Parse debris seen in raw reference titles: no title at all.
_DEBRIS_TITLES = frozenset({"arxiv", "arxiv preprint", "corr", "pmlr", "personal communication", "preprint",
                            "technical report", "tech rep", "in", "online", "url", "blog", "github"})
# Reference text that is not a title: an access date ("Accessed: 2020-12-31") and what follows it.
_ACCESS_NOTE = re.compile(r"^(accessed|retrieved|last accessed|date accessed|visited|available (online|at|from))\b")
_ID_AS_TITLE = re.compile(r"^arxiv( preprint)? arxiv \d+\b")
_WORD3 = re.compile(r"[a-z]{3,}")


def is_junk_title(ntitle: str) -> bool:
    """True when a *normalised* title is reference debris rather than a title.

    Examples
    --------
    >>> [is_junk_title(normalize_title(t)) for t in ("Accessed: 2020-12-31", "CoRR", "2023", "Deep learning")]
    [True, True, True, False]
    >>> is_junk_title(normalize_title("arXiv preprint arXiv:1607.06450"))
    True
    """
    return (ntitle in _DEBRIS_TITLES or not _WORD3.search(ntitle) or bool(_ID_AS_TITLE.match(ntitle))
            or is_access_note(ntitle))


def is_access_note(ntitle: str) -> bool:
    """True when a *normalised* reference title is an access note ("Accessed: 2020-12-31"), not a citation.

    Such a reference names no work: it becomes no node, not even by author and year.

    Examples
    --------
    >>> is_access_note("accessed 2020 12 31"), is_access_note("corr"), is_access_note("access control lists")
    (True, False, False)
    """
    return bool(_ACCESS_NOTE.match(ntitle))


# Words a title made only of names no single work: "Deep learning" is LeCun et al. 2015 and the
# Goodfellow et al. book; "Introduction" is a section heading.
_GENERIC_WORDS = frozenset(_words("""
a an the of and for in on to with introduction overview survey review conclusion conclusions abstract appendix
background preliminaries discussion related work works results experiments method methods references
deep machine learning neural network networks artificial intelligence ai reinforcement statistical statistics
supervised unsupervised representation representations model models modeling modelling language languages
natural processing nlp computer vision data science mining information retrieval optimization optimisation
probability theory pattern recognition recommender recommendation recommendations system systems attention
analysis tutorial notes lecture chapter book
"""))


def is_generic_title(ntitle: str) -> bool:
    """True when a *normalised* title of one or two words uses only generic field vocabulary.

    Such a title needs a second signal (year, first author or an id) before two records are one work.

    Examples
    --------
    >>> [is_generic_title(t) for t in ("deep learning", "introduction", "reinforcement learning")]
    [True, True, True]
    >>> [is_generic_title(t) for t in ("layer normalization", "reinforcement learning an introduction", "")]
    [False, False, False]
    """
    words = ntitle.split()
    return 0 < len(words) <= 2 and all(w in _GENERIC_WORDS for w in words)


def surname(name: str | None) -> str:
    """Normalised last name of an author as printed.

    Examples
    --------
    >>> surname("Rami Al-Rfou"), surname("Sutton, R."), surname(None)
    ('rfou', 'sutton', '')
    """
    if not name:
        return ""
    if "," in name:
        name = name.split(",", 1)[0]
    parts = normalize_title(name).split()
    return parts[-1] if parts else ""


_YEARISH = re.compile(r"^(19|20)\d\d$")


def title_digits(ntitle: str) -> frozenset[str]:
    """The tokens of a normalised title holding a digit, years left out: versions tell works apart.

    Examples
    --------
    >>> sorted(title_digits("qwen2 5 technical report")), sorted(title_digits("gpt 4 technical report 2023"))
    (['5', 'qwen2'], ['4'])
    """
    return frozenset(w for w in ntitle.split() if any(c.isdigit() for c in w) and not _YEARISH.match(w))


def titles_agree(a: str, b: str) -> bool:
    """Lenient agreement of two normalised titles: could they name the same work?

    Used to check an id against the title printed beside it: a misprinted arXiv id comes with a title
    that shares little with the id's own. Subtitles, truncation, typos and word order are tolerated.

    Examples
    --------
    >>> titles_agree("megatron lm", "megatron lm training multi billion parameter language models")
    True
    >>> titles_agree("improving language understanding by generative pre training",
    ...              "learning to generate reviews and discovering sentiment")
    False
    """
    if not a or not b:
        return True
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) or fuzz.ratio(a, b) >= 60 or fuzz.token_set_ratio(a, b) >= 80:
        return True
    return len(short) >= 8 and fuzz.partial_ratio(short, long_) >= 95


_FUNCTION_WORDS = frozenset(_words("a an the of for in on to with from by via and or at as into"))
# what bibliographies append to a title: a date, "arXiv", a licence
_TRAILING_DEBRIS = frozenset(_words("""january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec arxiv preprint corr abs license licence mit bsd style
version online"""))


def _trailing_debris(rest: str) -> bool:
    return all(w in _TRAILING_DEBRIS or w.isdigit() for w in rest.split())


def same_work_title(a: str, b: str) -> float:
    """Title score (0-100) of two normalised titles naming one work; 0 when their versions differ.

    The rapidfuzz ratio, raised to 95 when one title is the other's beginning (a dropped subtitle: the
    shorter has at least 4 words; or a trailing date / "arXiv" after at least 3 words) or when the two
    differ by one function word ("learning to summarize *from* / *with* human feedback"). Titles whose
    digit tokens differ (``Qwen2`` / ``Qwen2.5``, ``GPT-3`` / ``GPT-4``) score 0.

    Examples
    --------
    >>> same_work_title("learning to summarize from human feedback", "learning to summarize with human feedback")
    95.0
    >>> same_work_title("learning to summarize from human feedback",
    ...                 "learning to summarize from human feedback february")
    95.0
    >>> same_work_title("qwen2 technical report", "qwen2 5 technical report")
    0.0
    >>> round(same_work_title("deep interest network for click through rate prediction",
    ...                       "deep interest evolution network for click through rate prediction"))
    92
    """
    if not a or not b:
        return 0.0
    if title_digits(a) != title_digits(b):
        return 0.0
    score = float(fuzz.ratio(a, b))
    short, long_ = sorted((a, b), key=len)
    n_short = len(short.split())
    if long_.startswith(short + " ") and (n_short >= 4 or (n_short >= 3 and _trailing_debris(long_[len(short):]))):
        score = max(score, 95.0)
    wa, wb = a.split(), b.split()
    if len(wa) == len(wb) >= 3:
        diff = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
        if len(diff) == 1 and diff[0][0] in _FUNCTION_WORDS and diff[0][1] in _FUNCTION_WORDS:
            score = max(score, 95.0)
    return score


def same_work(a: tuple[str, int | None, str], b: tuple[str, int | None, str]) -> bool:
    """Merge rule of the snapshot build for two records ``(normalised title, year, surname)``.

    One work when :func:`same_work_title` reaches 95 and years are within one, with the same first
    author; a record missing its author needs the same year and a score of 97; one missing its year
    needs the same author and 97. Generic titles (:func:`is_generic_title`) must be equal, with the
    same author and years within one.

    Examples
    --------
    >>> same_work(("learning to summarize with human feedback", 2020, "stiennon"),
    ...           ("learning to summarize from human feedback", 2020, "stiennon"))
    True
    >>> same_work(("deep interest network for click through rate prediction", 2017, "zhou"),
    ...           ("deep interest evolution network for click through rate prediction", 2018, "zhou"))
    False
    >>> same_work(("deep learning", 2015, "lecun"), ("deep learning", 2016, "goodfellow"))
    False
    """
    (ta, ya, sa), (tb, yb, sb) = a, b
    if ya is not None and yb is not None and abs(ya - yb) > 1:
        return False
    if is_generic_title(ta) or is_generic_title(tb):
        return ta == tb and bool(sa) and sa == sb and ya is not None and yb is not None
    if sa and sb and sa != sb:
        return False
    score = same_work_title(ta, tb)
    if sa and sb:
        return score >= (95.0 if ya is not None and yb is not None else 97.0)
    if sa or sb:
        return ya is not None and ya == yb and score >= 97.0
    return False


def candidate_pairs(works: Sequence[tuple[str, int | None, str]], *, cutoff: float = 88.0,
                    chunk: int = 2000) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of ``works`` ``(normalised title, year, surname)`` worth scoring.

    Titles within rapidfuzz ratio ``cutoff`` of each other (one ``cdist`` pass, ``chunk`` rows at a
    time), plus pairs with the same surname where one title begins the other. Empty titles are skipped.

    Examples
    --------
    >>> sorted(candidate_pairs([("attention is all you need", 2017, "vaswani"),
    ...                         ("atention is all you need", 2017, ""), ("deep residual learning", 2016, "he"),
    ...                         ("deep residual learning for image", 2016, "he")]))
    [(0, 1), (2, 3)]
    """
    idx = [i for i, w in enumerate(works) if w[0]]
    titles = [works[i][0] for i in idx]
    out: set[tuple[int, int]] = set()
    for start in range(0, len(titles), chunk):
        m = process.cdist(titles[start:start + chunk], titles, scorer=fuzz.ratio, score_cutoff=cutoff,
                          dtype="uint8", workers=1)
        rows, cols = m.nonzero()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i, j = idx[start + r], idx[c]
            if i < j:
                out.add((i, j))
    by_surname: dict[str, list[int]] = {}
    for i in idx:
        if works[i][2]:
            by_surname.setdefault(works[i][2], []).append(i)
    for members in by_surname.values():
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                short, long_ = sorted((works[i][0], works[j][0]), key=len)
                if long_.startswith(short + " "):
                    out.add((min(i, j), max(i, j)))
    return out


def find_duplicates(works: Sequence[tuple[str, str, int | None, str]], *,
                    threshold: float = 92.0) -> list[tuple[str, str, float]]:
    """The duplicate detector: suspected pairs ``(key_a, key_b, score)``, ``key_a < key_b``, sorted.

    ``works`` holds ``(key, normalised title, year, first-author surname)``. Looser than the build's
    :func:`same_work` on purpose, so that it measures what the build left: a pair is suspected when its
    :func:`same_work_title` score reaches ``threshold``, its years are within one (or one is unknown)
    and its surnames are equal (or one is unknown). Generic titles need equal surnames or equal
    years; junk titles are skipped.

    Examples
    --------
    >>> find_duplicates([("a", "learning to summarize from human feedback", 2020, "stiennon"),
    ...                  ("b", "learning to summarize with human feedback", 2020, ""),
    ...                  ("c", "learning to summarize with human feedback", 2012, "smith"),
    ...                  ("d", "deep learning", 2015, "lecun"), ("e", "deep learning", 2016, "goodfellow")])
    [('a', 'b', 95.0)]
    """
    items = [(k, t, y, s) for k, t, y, s in works if t and not is_junk_title(t)]
    out: list[tuple[str, str, float]] = []
    for i, j in candidate_pairs([(t, y, s) for _, t, y, s in items]):
        out.extend(_suspect(items[i], items[j], threshold))
    return sorted(out)


def _suspect(a: tuple[str, str, int | None, str], b: tuple[str, str, int | None, str],
             threshold: float) -> Iterable[tuple[str, str, float]]:
    (ka, ta, ya, sa), (kb, tb, yb, sb) = a, b
    if ka == kb:
        return ()
    if ya is not None and yb is not None and abs(ya - yb) > 1:
        return ()
    if sa and sb and sa != sb:
        return ()
    generic = is_generic_title(ta) or is_generic_title(tb)
    if generic and not ((sa and sa == sb) or (ya is not None and ya == yb)):
        return ()
    score = same_work_title(ta, tb)
    if score < threshold:
        return ()
    return ((min(ka, kb), max(ka, kb), round(score, 1)),)
