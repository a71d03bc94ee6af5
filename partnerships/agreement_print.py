"""Who signs a printed agreement, in the words of a Russian contract.

The preamble names each party's head in the genitive with initials («в лице директора Иванова И. И.,
действующего…») and the signature line in the nominative («И. И. Иванов»). The names come from the registry: the
school's `director`, or an organisation's `head_name` and `head_position`. A name missing there is asked for before
printing (the print view), never printed as a blank.

The declension covers the surnames of the registry (-ов/-ев/-ин, -ский/-цкий, -ая, a consonant); a surname it does
not know (Гюго, Дурново, Черных) is left as typed, which is also what Russian grammar does with most of them.
"""

from dataclasses import dataclass

from .models import Agreement

FEMALE_PATRONYMIC = ("вна", "чна", "кызы")
MALE_GENITIVE = (("ский", "ского"), ("цкий", "цкого"), ("ий", "ого"), ("ый", "ого"), ("ой", "ого"), ("ь", "я"), ("й", "я"))
FEMALE_GENITIVE = (("ова", "овой"), ("ева", "евой"), ("ёва", "ёвой"), ("ина", "иной"), ("ына", "ыной"), ("ая", "ой"))
INDECLINABLE_ENDINGS = tuple("аяоеёиуыюэ") + ("их", "ых")
POSITION_GENITIVE = (("ий", "его"), ("ь", "я"))


def _is_female(parts: list[str]) -> bool:
    if not parts:
        return False
    if len(parts) >= 3 and not parts[2].endswith("."):
        return parts[2].lower().endswith(FEMALE_PATRONYMIC)
    return parts[0].lower().endswith(tuple(ending for ending, _ in FEMALE_GENITIVE))


def _surname_genitive(surname: str, *, female: bool) -> str:
    lower = surname.lower()
    if female:
        for ending, genitive in FEMALE_GENITIVE:
            if lower.endswith(ending):
                return surname[: -len(ending)] + genitive
        return surname
    for ending, genitive in MALE_GENITIVE:
        if lower.endswith(ending):
            return surname[: -len(ending)] + genitive
    if lower.endswith(INDECLINABLE_ENDINGS) or not lower[-1:].isalpha():
        return surname
    return surname + "а"


def _initials(parts: list[str]) -> str:
    """«Иван Иванович» or «И.И.» → «И. И.»."""
    letters = [letter for part in parts for letter in part.replace(".", " ").split()]
    return " ".join(f"{letter[0].upper()}." for letter in letters)


def name_genitive(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванова И. И.»; «Петрова Мария Сергеевна» → «Петровой М. С.»."""
    parts = full_name.split()
    if not parts:
        return ""
    surname = _surname_genitive(parts[0], female=_is_female(parts))
    initials = _initials(parts[1:])
    return f"{surname} {initials}".strip()


def name_signature(full_name: str) -> str:
    """«Иванов Иван Иванович» → «И. И. Иванов», as under a signature."""
    parts = full_name.split()
    if not parts:
        return ""
    return f"{_initials(parts[1:])} {parts[0]}".strip()


def position_genitive(position: str) -> str:
    """«Директор» → «директора», «заведующий» → «заведующего», «руководитель центра» → «руководителя центра»."""
    words = position.split()
    if not words:
        return ""
    first = words[0].lower()
    for ending, genitive in POSITION_GENITIVE:
        if first.endswith(ending):
            first = first[: -len(ending)] + genitive
            break
    else:
        if first[-1:].isalpha() and not first.endswith(INDECLINABLE_ENDINGS):
            first += "а"
    return " ".join([first, *words[1:]])


@dataclass(frozen=True)
class Signatory:
    """One party's head as the printed agreement names them."""

    key: str  # the form field and query parameter: "curator" or "school"
    party: object  # the School or Organisation of the registry
    role: str  # «Школа-куратор», «Организация-куратор», «Школа»
    position: str  # nominative, as under the signature: «Директор»
    name: str  # full name, nominative; "" when neither the registry nor the person printing gave it
    from_registry: bool

    @property
    def position_genitive(self) -> str:
        return position_genitive(self.position)

    @property
    def name_genitive(self) -> str:
        return name_genitive(self.name)

    @property
    def acting(self) -> str:
        """«действующего» or «действующей», as the preamble goes on after the name."""
        return "действующей" if self.name and _is_female(self.name.split()) else "действующего"

    @property
    def signature(self) -> str:
        return name_signature(self.name)


def signatories(agreement: Agreement, entered: dict | None = None) -> list[Signatory]:
    """The curator party's and the school's heads: the registry's, else the name entered for this print."""
    entered = entered or {}
    organisation = agreement.curator_organisation if agreement.curator_organisation_id else None
    if organisation is not None:
        curator = ("Организация-куратор", organisation.head_position.strip() or "Руководитель", organisation.head_name)
    else:
        curator = ("Школа-куратор", "Директор", agreement.curator_school.director)
    school = agreement.supported_school
    rows = [("curator", agreement.curator, *curator), ("school", school, "Школа", "Директор", school.director)]
    result = []
    for key, party, role, position, registered in rows:
        registered = (registered or "").strip()
        name = registered or " ".join(str(entered.get(key, "")).split())[:200]
        result.append(Signatory(key, party, role, position[:1].upper() + position[1:], name, bool(registered)))
    return result
