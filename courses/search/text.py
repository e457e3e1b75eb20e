"""Text of the search: normalisation, jieba segmentation, suffixes, Latin inside words, pinyin.

The same functions run at index time and at query time, so what a worker types and what a
provider wrote meet in one form: traditional characters become simplified (OpenCC ``t2s``),
full-width letters and digits half-width (NFKC), Latin lower case, punctuation a space.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba
from opencc import OpenCC
from pypinyin import lazy_pinyin

MAX_TERM_LENGTH = 64
MAX_QUERY_TERMS = 8

# Trade words jieba's general dictionary splits badly; a high frequency keeps them whole.
DOMAIN_WORDS = (
    "电工", "低压电工", "高压电工", "高处作业", "焊工", "电焊工", "特种作业", "特种作业操作证",
    "登高作业", "电力", "配电", "变电", "输电线路", "继电保护", "安全生产", "应急救援",
    "导游", "讲解员", "养老护理员", "育婴员", "家政服务员", "健康管理师", "无人机", "无人机驾驶员",
    "嫁接", "热带水果", "芒果", "槟榔", "南繁", "制种", "育种", "深海", "潜水员", "航天",
    "电子商务", "直播电商", "网络安全", "数据标注", "人工智能", "叉车", "电梯", "钳工", "汽修",
    "新能源汽车", "中式烹调师", "西式面点师", "咖啡师", "调酒师", "茶艺师",
    "焊接", "熔化焊接", "挖掘机", "装载机", "起重机", "制冷", "空调", "收银", "母婴护理", "催乳",
    "网约车", "出租汽车", "茶艺", "面点", "烹调", "美发", "美容", "保育", "护理", "电焊",
)
# Words that carry no meaning on their own in a course search.
STOP_WORDS = frozenset({"的", "了", "和", "与", "及", "或", "在", "是", "为", "等", "之", "其", "我", "想",
                        "学", "要", "怎么", "哪里", "有", "吗", "去", "考", "报名", "课程", "课",
                        "the", "and", "of", "for", "to", "in", "a", "an"})
# Job and certificate endings a worker adds or leaves out at will (茶艺师 / 茶艺员 / 茶艺).
SUFFIXES = ("培训", "证", "师", "员", "工", "班")
# Latin and digit runs: indexed with every tail of two or more characters, so a query's
# prefix finds them inside longer words (office in msoffice, 9001 in iso9001).
LATIN = re.compile(r"[a-z0-9]+")
MIN_LATIN = 2
MAX_LATIN_TAILS = 24

_tokenizer: jieba.Tokenizer | None = None
_lock = threading.Lock()
_opencc = OpenCC("t2s")


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer with the domain dictionary (built once per process)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                for word in DOMAIN_WORDS:
                    tok.add_word(word, freq=20000)
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZC"


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text with punctuation and symbols turned into spaces."""
    text = _opencc.convert(unicodedata.normalize("NFKC", text or "")).lower()
    return " ".join("".join(" " if _is_punct(ch) else ch for ch in text).split())


def is_meaningful(token: str) -> bool:
    return bool(token) and token not in STOP_WORDS and any(ch.isalnum() for ch in token)


def segment(text: str) -> list[str]:
    """Search terms of ``text`` in order of appearance, without duplicates, stop words or punctuation:
    jieba's search mode (whole words and the shorter words inside them)."""
    seen: dict[str, None] = {}
    for token in tokenizer().cut_for_search(normalize(text)):
        token = token.strip()
        if is_meaningful(token):
            seen.setdefault(token[:MAX_TERM_LENGTH], None)
    return list(seen)


def words(text: str) -> list[str]:
    """The words of already normalised ``text`` (jieba's precise mode), without stop words."""
    return list(_words(text))


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    # Kept per text: queries nobody made before are mostly made of words others searched for,
    # and jieba's dictionary does not change while the process runs.
    return tuple(w for w in (t.strip() for t in tokenizer().cut(text)) if is_meaningful(w))


def parts(word: str) -> list[str]:
    """The shorter words jieba's search mode finds inside a Chinese compound, as a cover from the
    left, longest first (低压电工 → 低压, 电工; 桥式起重机 → 桥式, 起重机): the terms a course
    text with the compound is indexed under. Empty unless they cover every character but stop
    words (熔化焊接与热切割 → 熔化焊接, 热切割)."""
    if len(word) < 3 or not is_chinese(word):
        return []
    inside = {t for t in tokenizer().cut_for_search(word) if t != word and is_meaningful(t)}
    found, i = [], 0
    while i < len(word):
        for size in range(len(word) - i, 0, -1):
            piece = word[i:i + size]
            if piece in inside:
                found.append(piece)
                i += size
                break
        else:
            if word[i] not in STOP_WORDS:
                return []   # a character no part covers (水 of 水电工): the parts are not the compound
            i += 1
    return found


def stem(word: str) -> str | None:
    """``word`` without a common job or certificate ending (茶艺师 → 茶艺), if two characters remain."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2 and not LATIN.fullmatch(word):
            return word[:-len(suffix)]
    return None


def is_word(word: str) -> bool:
    """Whether jieba's dictionary (with the domain words) knows ``word``."""
    return bool(tokenizer().FREQ.get(word))


def is_latin(word: str) -> bool:
    return bool(LATIN.fullmatch(word))


def latin_tails(word: str) -> list[str]:
    """Every tail of a Latin/digit run of at least ``MIN_LATIN`` characters, except the run itself."""
    if len(word) > MAX_LATIN_TAILS:
        return []
    return [word[i:] for i in range(1, len(word) - MIN_LATIN + 1)]


def is_chinese(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def pinyin(word: str) -> tuple[str, str] | None:
    """Full pinyin and initials of a Chinese word of two or more characters (导游 → daoyou, dy)."""
    if len(word) < 2 or not is_chinese(word):
        return None
    syllables = lazy_pinyin(word)
    return "".join(syllables)[:MAX_TERM_LENGTH], "".join(s[0] for s in syllables if s)
