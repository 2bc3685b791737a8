"""Identifiers: parse, validate and normalise arXiv ids, DOIs, S2 ids and titles.

A node of the graph is keyed by :func:`paper_key`: ``arxiv:<id>`` when the paper has an arXiv id,
else ``doi:<doi>``, else ``title:<normalised title>``, else ``s2:<paperId>``. Titles come before S2 ids
so that a reference read from a paper's bibliography (title only) and the same paper fetched from
Semantic Scholar (paperId, title) get the same key. The same paper gets the
same key offline (snapshot) and online (Semantic Scholar returns ``externalIds``), which is what makes
the two graphs comparable.

The rules that tell whether two records name one work (title agreement, duplicates, the union-find of
the snapshot build) live in :mod:`graph.core.identity`; they are re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from graph.core.errors import BadIdError

__all__ = [
    "PaperRef",
    "doi_problem",
    "normalize_arxiv",
    "normalize_doi",
    "normalize_title",
    "paper_key",
    "parse_paper_ref",
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
    ...     str(e).split(" (")[0]
    "malformed arXiv id 'arXiv:23x5'"
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


# ---------------------------------------------------------------- DOIs that cannot identify a work

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

