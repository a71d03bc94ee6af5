"""The registry: regions of about 1,000 schools, municipalities of uneven size, schools by kind, locality and size in
their clusters, and three finished school years of results and yearly profiles from a latent quality per school."""

import math

from schools.clusters import cluster_code_for, clusters_ensure_defaults
from schools.demo import KIND_QUALITY, _demo_school_year
from schools.measures import measures_by_code
from schools.models import Municipality, Region, School, SchoolResult, SchoolYearProfile

from .names import STEMS, person

SCHOOLS_PER_REGION = 1000

RESULT_CODES = [
    "ege-graduates", "ege-russian-participants", "ege-russian-below_min", "ege-russian-high_80_99",
    "ege-russian-mean_score", "ege-math_profile-participants", "ege-math_profile-below_min",
    "ege-math_profile-mean_score", "oge-math-participants", "oge-math-below_min", "oge-russian-participants",
    "oge-russian-mean_score", "vpr-russian-mean_score", "vpr-math-mean_score",
]  # fmt: skip


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each part at least `minimum` when possible."""
    n = len(weights)
    minimum = min(minimum, total // n)
    rest = total - minimum * n
    scale = sum(weights)
    raw = [rest * w / scale for w in weights]
    parts = [math.floor(r) for r in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


class RegistryMixin:
    """The first step of `_Generator`: fills `self.municipalities` and `self.schools` (records the later steps read)."""

    def registry(self) -> None:
        rng, w = self.rng, self.writer
        clusters = clusters_ensure_defaults()
        region_count = 1 if self.n <= SCHOOLS_PER_REGION * 3 // 2 else round(self.n / SCHOOLS_PER_REGION)
        region_sizes = _split(self.n, [rng.lognormvariate(0, 0.4) for _ in range(region_count)], 10)
        region_stems = rng.sample(STEMS, min(len(STEMS), region_count))
        for r, size in enumerate(region_sizes):
            stem = region_stems[r % len(region_stems)]
            name = f"{stem}ская область" + (f" {r // len(region_stems) + 1}" if r >= len(region_stems) else "")
            region_id = w.add(Region, name=name, code=str(100 + r))
            municipality_count = max(2, round(size * rng.uniform(20, 40) / SCHOOLS_PER_REGION))
            municipality_count = min(municipality_count, max(2, size // 5))
            kinds = [
                Municipality.Kind.CITY_OKRUG if rng.random() < 0.15 else
                rng.choice([Municipality.Kind.DISTRICT, Municipality.Kind.DISTRICT, Municipality.Kind.MUNICIPAL_OKRUG])
                for _ in range(municipality_count)
            ]  # fmt: skip
            kinds[0] = Municipality.Kind.CITY_OKRUG  # the regional capital
            weights = [rng.lognormvariate(0, 0.6) * (3 if k == Municipality.Kind.CITY_OKRUG else 1) for k in kinds]
            weights[0] *= 2
            sizes = _split(size, weights, 5)
            stems = rng.sample(STEMS, len(STEMS))
            for m, (kind, count) in enumerate(zip(kinds, sizes, strict=True)):
                stem = stems[m % len(stems)] + ("" if m < len(stems) else f"-{m // len(stems) + 1}")
                label = {
                    Municipality.Kind.CITY_OKRUG: f"Городской округ г. {stem}ск",
                    Municipality.Kind.DISTRICT: f"{stem}ский муниципальный район",
                    Municipality.Kind.MUNICIPAL_OKRUG: f"{stem}ский муниципальный округ",
                }[kind]
                municipality_id = w.add(Municipality, region_id=region_id, name=label, kind=kind)
                municipality = {"id": municipality_id, "name": label, "kind": kind, "region_id": region_id,
                                "schools": []}  # fmt: skip
                self.municipalities.append(municipality)
                self._schools_of(municipality, stem, count, clusters)
        self.progress(
            f"Реестр: {region_count} регион(ов), {len(self.municipalities)} муниципалитетов, {self.n} школ"
        )
        self._results()

    def _schools_of(self, municipality: dict, stem: str, count: int, clusters) -> None:
        rng, w = self.rng, self.writer
        city = municipality["kind"] == Municipality.Kind.CITY_OKRUG
        urban_share = 1.0 if city else rng.uniform(0.1, 0.3)
        taken: set[str] = set()
        village_stems = rng.sample(STEMS, len(STEMS))
        numbers = iter(range(1, 10_000))
        for i in range(count):
            urban = rng.random() < urban_share
            roll = rng.random()
            if urban:
                kind = (School.Kind.SOSH if roll < 0.72 else School.Kind.GYMNASIUM if roll < 0.82 else
                        School.Kind.LYCEUM if roll < 0.9 else School.Kind.OOSH if roll < 0.96 else School.Kind.BOARDING)
            else:
                kind = (School.Kind.SOSH if roll < 0.5 else School.Kind.OOSH if roll < 0.8 else
                        School.Kind.NOSH if roll < 0.97 else School.Kind.BOARDING)  # fmt: skip
            if urban:
                number = next(numbers)
                label = {School.Kind.GYMNASIUM: "Гимназия", School.Kind.LYCEUM: "Лицей", School.Kind.OOSH: "ООШ",
                         School.Kind.BOARDING: "Школа-интернат"}.get(kind, "СОШ")  # fmt: skip
                short = f"{label} № {number} г. {stem}ск"
            else:
                base = village_stems[i % len(village_stems)]
                short = f"{base}ская {School.Kind(kind).label.upper() if kind != School.Kind.BOARDING else 'школа-интернат'}"
                if short in taken:
                    short = f"{short} № {next(numbers)}"
            taken.add(short)
            full = {
                School.Kind.SOSH: "средняя общеобразовательная школа",
                School.Kind.OOSH: "основная общеобразовательная школа",
                School.Kind.NOSH: "начальная общеобразовательная школа",
                School.Kind.GYMNASIUM: "гимназия",
                School.Kind.LYCEUM: "лицей",
                School.Kind.BOARDING: "общеобразовательная школа-интернат",
            }[kind]
            if urban:
                pupils = round(rng.lognormvariate(math.log(650), 0.45))
            elif kind == School.Kind.NOSH:
                pupils = rng.randint(8, 45)
            else:
                pupils = round(rng.lognormvariate(math.log(110 if kind == School.Kind.SOSH else 60), 0.6))
            pupils = max(8, min(2500, pupils))
            is_small = not urban and pupils < 120 or kind == School.Kind.NOSH
            school = School(kind=kind, locality="urban" if urban else "rural", is_small=is_small)
            cluster = clusters[cluster_code_for(school)]
            # Latent quality of teaching: the demo's by kind, rural a little lower, a persistent weak tail.
            quality = KIND_QUALITY[kind] - (0.08 if not urban else 0) + rng.gauss(0, 0.12)
            drift = rng.gauss(0, 0.02) - (0.12 if rng.random() < 0.04 else 0)  # a few schools are falling
            school_id = w.add(
                School, municipality_id=municipality["id"], name=f"МОУ «{short}» ({full})", short_name=short,
                kind=kind, locality=school.locality, is_small=is_small, cluster_id=cluster.pk,
                address=f"{municipality['name']}, {'г. ' + stem + 'ск' if urban else 'с. ' + short.split()[0]}",
                director=" ".join(person(rng)), email=f"school{len(self.schools) + 1}@scale.example.ru",
            )  # fmt: skip
            record = {"id": school_id, "municipality_id": municipality["id"], "kind": kind, "urban": urban,
                      "short_name": short, "quality": quality, "drift": drift, "pupils": pupils,
                      "locality": school.locality}  # fmt: skip
            self.schools.append(record)
            municipality["schools"].append(record)

    def _results(self) -> None:
        rng, w = self.rng, self.writer
        measures = measures_by_code(set(RESULT_CODES))
        measure_ids = {code: m.pk for code, m in measures.items()}
        for index, school in enumerate(self.schools):
            card = School(kind=school["kind"], locality=school["locality"], short_name=school["short_name"])
            for offset, year in enumerate(self.years):
                quality = school["quality"] + school["drift"] * offset + rng.gauss(0, 0.04)
                quality = min(0.97, max(0.02, quality))
                profile, values = _demo_school_year(card, quality, school["pupils"], rng)
                # ВПР (grades 4–8) is written in every school, primary ones too: a mark from 2 to 5.
                values["vpr-russian-mean_score"] = round(3.0 + 1.5 * quality + rng.uniform(-0.2, 0.2), 2)
                values["vpr-math-mean_score"] = round(2.9 + 1.6 * quality + rng.uniform(-0.2, 0.2), 2)
                w.add(SchoolYearProfile, school_id=school["id"], year=year, **profile)
                for code, value in values.items():
                    w.add(SchoolResult, school_id=school["id"], year=year, measure_id=measure_ids[code], value=value)
                school["teachers"] = profile["teachers"]
            if (index + 1) % 5000 == 0:
                self.progress(f"Результаты и профили: {index + 1} из {self.n} школ")
        w.flush()
        self.progress(f"Результаты: {w.counts[SchoolResult]} значений, профилей: {w.counts[SchoolYearProfile]}")
