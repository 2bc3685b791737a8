"""Identity rules: do two records name one work? Used by the snapshot build and the duplicate detector.

Titles are compared *normalised* (:func:`graph.core.ids.normalize_title`). :func:`same_work` is the
merge rule of the snapshot build, :func:`find_duplicates` the looser detector that measures what the
build left, :func:`titles_agree` the lenient check of an id against the title printed beside it, and
:class:`UnionFind` joins records without ever joining two arXiv ids. Every name here is also importable
from :mod:`graph.core.ids`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from graph.core.ids import normalize_title

__all__ = [
    "UnionFind",
    "candidate_pairs",
    "find_duplicates",
    "is_access_note",
    "is_generic_title",
    "is_junk_title",
    "same_work",
    "same_work_title",
    "surname",
    "title_digits",
    "titles_agree",
]


class UnionFind:
    """Union-find over record tokens that refuses to join two different arXiv ids or two "primary"
    records (e.g. two raw files): those are two papers that merely share a DOI or a title.

    Shared by the snapshot build (``scripts/build_snapshot.py``) and :func:`graph.assemble.expand.merge_duplicates`.

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
