"""Names of schools and municipalities as files write them, made comparable with the registry's.

Names drift (quotes, «№ 1»/«№1», the long legal form against «МБОУ», the authority's name instead of the
municipality's, Latin letters typed inside Russian words), so both sides are reduced to a comparable key first:
`school_name_key`, `municipality_key`. `SchoolIndex` finds a municipality's school by such a key, or proposes the most
similar one. The results import and the social passports' import match names with them; a new school's kind and
locality are guessed from its name (`guess_school_kind`, `guess_locality`).
"""

import difflib
import functools
import re
from collections import defaultdict

from .models import Municipality, School

SUGGESTION_RATIO = 0.85


# --- names of schools and municipalities ---------------------------------------------------------------------------------------------------------

_QUOTES = re.compile(r"[\"'«»“”„‟`´]")
# Stems of the words of a legal form and their letters in the abbreviation (муниципальное бюджетное → МБ…).
_ORG_ADJECTIVES = {
    "муниципальн": "м",
    "государственн": "г",
    "частн": "ч",
    "негосударственн": "н",
    "краев": "к",
    "областн": "о",
    "федеральн": "ф",
    "бюджетн": "б",
    "казенн": "к",
    "автономн": "а",
}
_ORG_FORM = re.compile(
    r"\b((?:(?:" + "|".join(_ORG_ADJECTIVES).replace("е", "[её]") + r")(?:ое|ая)\s+)*)"
    r"(?:нетиповое\s+)?(общеобразовательн(?:ое|ая)\s+)?(учреждени[ея]|организаци[яи])\b",
    re.IGNORECASE,
)
_SCHOOL_TYPES = (
    (re.compile(r"средн(?:яя|ей)\s+общеобразовательн(?:ая|ой)\s+школ[аы]", re.IGNORECASE), "СОШ"),
    (re.compile(r"основн(?:ая|ой)\s+общеобразовательн(?:ая|ой)\s+школ[аы]", re.IGNORECASE), "ООШ"),
    (re.compile(r"начальн(?:ая|ой)\s+общеобразовательн(?:ая|ой)\s+школ[аы]", re.IGNORECASE), "НОШ"),
)
# Tokens such as «мбоу», «гоу», «огаоу», «фку»: the legal form, which changes more often than the school.
_ORG_ABBREVIATION = re.compile(r"^[мгчнкофба]{0,4}(?:о?у|оо)$")


_LATIN_LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу")


def _cyrillic_words(text: str) -> str:
    """Latin letters typed by mistake inside Russian words («Mуниципальное» with a Latin M) made Cyrillic."""
    return re.sub(
        r"\w+",
        lambda w: w.group(0).translate(_LATIN_LOOKALIKES) if re.search("[а-яё]", w.group(0), re.I) else w.group(0),
        text,
    )


def normalize_name(text: str) -> str:
    """Lowercase, ё→е, quotes removed, «№ 1» → «№1», whitespace collapsed."""
    text = _cyrillic_words(str(text).replace("\xa0", " ")).lower().replace("ё", "е")
    text = _QUOTES.sub(" ", text)
    text = re.sub(r"№\s*", "№", text)
    return re.sub(r"\s+", " ", text).strip()


def _org_form_abbreviation(found: re.Match) -> str:
    adjectives = found.group(1).lower().replace("ё", "е").split()
    if not adjectives and not found.group(2):
        return found.group(0)  # a bare «учреждение» is not a legal form
    letters = "".join(_ORG_ADJECTIVES[word[:-2]] for word in adjectives)
    kind = "у" if found.group(3).lower().startswith("учрежд") else "о"
    return (letters + ("о" if found.group(2) else "") + kind).upper()


def short_school_name(name: str) -> str:
    """«Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа №1"» →
    «МБОУ "СОШ №1"»."""
    text = _cyrillic_words(re.sub(r"\s+", " ", str(name).replace("\xa0", " ")).strip())
    text = _ORG_FORM.sub(_org_form_abbreviation, text)
    for pattern, abbreviation in _SCHOOL_TYPES:
        text = pattern.sub(abbreviation, text)
    return text[:200].strip()


@functools.lru_cache(maxsize=200_000)  # a country's names: the preview and the save match the same ones again
def school_name_key(name: str) -> str:
    """The comparable key of a school name: the short form, normalised, without punctuation."""
    text = normalize_name(short_school_name(name))
    text = re.sub(r"\bимени\b", "им", text)
    text = re.sub(r"[^\w№]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def core_key(key: str) -> str:
    """The key without the legal form («мбоу сош №1» → «сош №1»)."""
    return " ".join(token for token in key.split() if not _ORG_ABBREVIATION.match(token)) or key


_CITY_WORDS = re.compile(r"\b(город|города|г|городского|городской|гор|поселок|поселка|пгт|зато)\b")
_DISTRICT_WORDS = re.compile(r"\b(район|района|мр|муниципального округа|муниципальный округ)\b")
_REGION_PHRASE = re.compile(r"\b\w+\s+(?:автономн\w+\s+)?(?:края|области|республики|округа)\b")
_GENERIC_WORDS = {
    "и", "по", "в", "на", "при", "г", "п", "с", "пгт", "зато", "мр", "го", "мо", "город", "города", "городской",
    "городского", "гор", "поселок", "поселка", "район", "района", "округ", "округа", "край", "края", "область",
    "области", "республика", "республики", "автономной", "автономного", "автономная", "делам", "дела", "детства",
    "спорта", "науки", "политики", "комитета", "отдела",
}
_GENERIC_PREFIXES = (
    "комитет", "управлен", "отдел", "образован", "администрац", "админстрац", "муниципальн", "казенн", "учрежден",
    "молодеж", "министерств", "материнств", "социальн",
)
_ENDINGS = (
    "ского", "ская", "ское", "ский", "ском", "ской", "ских", "ого", "ому", "его", "ему", "ая", "ое", "ый", "ий",
    "ой", "ые", "ие", "ых", "их", "ом", "ем", "ы", "и", "а", "я", "е", "у", "ю", "о",
)


def _stem(word: str) -> str:
    if len(word) <= 4:
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _municipality_tokens(text: str) -> set[str]:
    words = re.sub(r"[^\w]+", " ", text).split()
    return {
        _stem(word)
        for word in words
        if word not in _GENERIC_WORDS and not word.startswith(_GENERIC_PREFIXES) and not word.isdigit()
    }


def municipality_key(name: str) -> str:
    """What stays of a municipality's name without the authority's words, in stems, with its kind: the file's
    «Комитет образования администрации городского округа "Город Чита"» and the registry's «Город Чита» both give
    «city:чит»; «…муниципального района "Акшинский район"» and «…Акшинского муниципального округа» both give
    «district:акшин»."""
    text = normalize_name(name).replace(".", " ")
    city = bool(_CITY_WORDS.search(text))
    district = bool(_DISTRICT_WORDS.search(text))
    kind = {(True, False): "city", (False, True): "district", (True, True): "mixed"}.get((city, district), "")
    # «…Каларского муниципального округа Забайкальского края»: the region's name is not the municipality's.
    tokens = _municipality_tokens(_REGION_PHRASE.sub(" ", text)) or _municipality_tokens(text)
    return f"{kind}:{' '.join(sorted(tokens))}"


def proposed_municipality_name(file_name: str) -> str:
    """The name a new municipality gets: the quoted part of an authority's name («Город Чита»), else the name."""
    quoted = re.search(r"[\"«“]\s*([^\"«»“”]+?)\s*[\"»”]", file_name)
    name = quoted.group(1) if quoted and len(quoted.group(1)) > 2 else file_name
    name = re.sub(r"\s+", " ", name).strip()
    return (name[:1].upper() + name[1:])[:200]


def municipality_kind(file_name: str) -> str:
    text = normalize_name(file_name)
    if "муниципального округа" in text or "муниципальный округ" in text:
        return Municipality.Kind.MUNICIPAL_OKRUG
    if municipality_key(file_name).startswith("city:"):
        return Municipality.Kind.CITY_OKRUG
    return Municipality.Kind.DISTRICT


def guess_school_kind(name: str) -> str:
    key = school_name_key(name)
    rules = (
        ("лицей", School.Kind.LYCEUM),
        ("гимназ", School.Kind.GYMNASIUM),
        ("интернат", School.Kind.BOARDING),
        ("нош", School.Kind.NOSH),
        ("начальн", School.Kind.NOSH),
        ("оош", School.Kind.OOSH),
        ("основн", School.Kind.OOSH),
        ("сош", School.Kind.SOSH),
        ("средн", School.Kind.SOSH),
    )
    for word, kind in rules:
        if re.search(rf"\b{word}", key):
            return kind
    return School.Kind.OTHER


# A settlement abbreviation is written in lower case right before the place's capitalised name: «с.Бирофельд»,
# «п. Букачача», «пгт.Приисковый», «п.с.т. Заречный». Matching case-sensitively keeps initials («им. Г.Н. Аксёнова»)
# out, and the capital after the dot keeps «с углублённым изучением» out.
_PLACE_AFTER_DOT = r"\.(?:\s*[а-яё]{1,3}\.)*\s*[А-ЯЁ]"
_RURAL_ABBREVIATION = re.compile(r"(?<![\w.])(?:с|д|п|пос|х|ст|сл|рп|пгт)" + _PLACE_AFTER_DOT)
_URBAN_ABBREVIATION = re.compile(r"(?<![\w.])(?:г|гор)" + _PLACE_AFTER_DOT)
# Whole words, matched in the lower-cased name with ё as е.
_RURAL_WORDS = re.compile(
    r"\b(?:сел[оаеу]|селом|деревн[яиеюй]|поселк[аеу]?|поселок|пгт|рп|рабоч\w+ поселк\w*|станци[яиюей]|станиц[аыеу]|"
    r"улус[ае]?|аул[ае]?|хутор[ае]?|слобод[аыеу])\b"
)
_URBAN_WORDS = re.compile(r"\b(?:город|города|городе|городом)\b")
# Marks of a municipality's form, weaker than the settlement a name points to: a city okrug holds villages too.
_RURAL_MUNICIPALITY_WORDS = re.compile(r"\b(?:сельск\w+ поселени\w*|сельсовет\w*)\b")
_URBAN_MUNICIPALITY_WORDS = re.compile(r"\bгородск\w+ округ\w*\b")
_DISTRICT_WORDS_IN_NAME = re.compile(r"\b(?:район\w*|муниципальн\w+ округ\w*)\b")


def _settlement_locality(text: str) -> str | None:
    """Rural or urban by the first settlement the text names («с.», «село», «г.», «город»…), or None."""
    lowered = text.lower().replace("ё", "е")
    found = []
    for pattern, subject, locality in (
        (_RURAL_ABBREVIATION, text, School.Locality.RURAL),
        (_URBAN_ABBREVIATION, text, School.Locality.URBAN),
        (_RURAL_WORDS, lowered, School.Locality.RURAL),
        (_URBAN_WORDS, lowered, School.Locality.URBAN),
    ):
        match = pattern.search(subject)
        if match:
            found.append((match.start(), locality))
    return min(found)[1] if found else None


def _municipality_form_locality(text: str) -> str | None:
    lowered = text.lower().replace("ё", "е")
    if _RURAL_MUNICIPALITY_WORDS.search(lowered):
        return School.Locality.RURAL
    if _URBAN_MUNICIPALITY_WORDS.search(lowered):
        return School.Locality.URBAN
    return None


def guess_locality(name: str, municipality: Municipality | None) -> str:
    """Urban or rural, as far as a school's name and its municipality tell; otherwise «не определена».

    The settlement in the school's name decides first (a city okrug holds villages, a district holds towns), then
    the municipality form in the name, then the municipality: a city okrug, or a name that points to a settlement and
    not to a district around it («Город Краснокаменск и Краснокаменский район» says nothing of its villages).
    """
    name = _cyrillic_words(str(name).replace("\xa0", " "))
    guessed = _settlement_locality(name) or _municipality_form_locality(name)
    if guessed:
        return guessed
    if municipality is None:
        return School.Locality.UNKNOWN
    if municipality.kind == Municipality.Kind.CITY_OKRUG:
        return School.Locality.URBAN
    municipality_name = _cyrillic_words(municipality.name)
    if not _DISTRICT_WORDS_IN_NAME.search(municipality_name.lower()):
        guessed = _settlement_locality(municipality_name) or _municipality_form_locality(municipality_name)
    return guessed or School.Locality.UNKNOWN


class SchoolIndex:
    """Schools by municipality and name key (full and short name), the keys computed once."""

    def __init__(self, schools):
        self.by_municipality: dict[int, list[School]] = defaultdict(list)
        self.keys: dict[int, set[str]] = {}
        self.by_key: dict[tuple[int, str], set[School]] = defaultdict(set)
        self.by_core: dict[tuple[int, str], set[School]] = defaultdict(set)
        for school in schools:
            self.by_municipality[school.municipality_id].append(school)
            keys = {school_name_key(school.name), school_name_key(school.short_name)}
            self.keys[id(school)] = keys
            for key in keys:
                self.by_key[school.municipality_id, key].add(school)
                self.by_core[school.municipality_id, core_key(key)].add(school)

    def find(self, municipality_id: int, key: str) -> tuple[School | None, list[School]]:
        """The school of the municipality with this name key, else the one with this name without its legal form
        (МБОУ → МАОУ); or None and the schools that share the name (ambiguous)."""
        for found in (self.by_key.get((municipality_id, key)), self.by_core.get((municipality_id, core_key(key)))):
            if found and len(found) == 1:
                return next(iter(found)), []
            if found:
                return None, sorted(found, key=lambda s: s.short_name)
        return None, []

    def suggest(self, municipality_id: int, key: str) -> School | None:
        """The most similar name of the municipality, if it is similar enough to propose."""
        best, best_ratio = None, SUGGESTION_RATIO
        for school in self.by_municipality.get(municipality_id, []):
            for school_key in self.keys[id(school)]:
                matcher = difflib.SequenceMatcher(None, key, school_key)
                if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio:
                    ratio = matcher.ratio()
                    if ratio >= best_ratio:
                        best, best_ratio = school, ratio
        return best
