"""The Jepara demo's people as plain data (pure, deterministic).

Names are synthetic (``data/names.json``); phone numbers are fictitious. Each person's name, rank
and phone come from a generator seeded with the person's stable key (``org:<organisation>:<post>``),
so adding people to one organisation never renames anyone else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.text import slugify

from linsek.demo.facts import JeparaFacts, Village
from linsek.demo.plan import TpsPlan, apportion, rng_for
from linsek.demo.staffing import district_slug, mobile_number


@dataclass(frozen=True, slots=True)
class PersonPlan:
    key: str
    org_code: str
    full_name: str
    rank: str
    position: str
    phone: str
    duty_role: str | None
    home_region_code: str | None
    district_code: str | None  # for cutting the plan down to some districts


# (slot, position, duty role, rank or ranks to draw from, degree list) of a named post.
_Head = tuple[str, str, str | None, str | list[str], str | None]


class _People:
    """Collects PersonPlan rows; names, ranks and phones drawn per person key."""

    def __init__(self, facts: JeparaFacts) -> None:
        self.seed = int(facts.scenario["seed"])
        self.names = facts.names
        self.rows: list[PersonPlan] = []

    def add(
        self,
        org: str,
        slot: str,
        position: str,
        *,
        duty: str | None,
        home: str | None,
        district: str | None,
        rank: str | list[str] = "",
        female_share: float = 0.1,
        degrees: str | None = None,
    ) -> str:
        key = f"org:{org}:{slot}"
        rng = rng_for(self.seed, "person", key)
        female = rng.random() < female_share
        first = rng.choice(self.names["female" if female else "male"])
        families = [f for f in self.names["family"] if female or f not in self.names["family_female_only"]]
        full_name = f"{first} {rng.choice(families)}"
        if degrees:
            title = rng.choice(self.names["degrees"][degrees])
            full_name = f"{full_name}, {title}" if title else full_name
        chosen_rank = rng.choice(rank) if isinstance(rank, list) else rank
        self.rows.append(
            PersonPlan(key, org, full_name, chosen_rank, position, mobile_number(rng), duty, home, district)
        )
        return key


def people_plan(facts: JeparaFacts, tps: list[TpsPlan]) -> list[PersonPlan]:
    """Polri, TNI, Linmas, KPU/PPK/PPS, Bawaslu/Panwascam, Pemkab, Camat, Kejari and PN people."""
    forces, committees = facts.scenario["forces"], facts.scenario["committees"]
    ranks = facts.names["ranks"]
    regency = facts.scenario["regency"]["code"]
    units = [o for o in facts.organisations["regency"] if o["type"] == "polres_unit"]
    tps_per_district = {d.code: sum(1 for t in tps if t.district_code == d.code) for d in facts.districts}
    tps_per_village = {v.code: sum(1 for t in tps if t.village_code == v.code) for v in facts.villages}
    p = _People(facts)

    def regency_staff(
        org: str,
        first: Sequence[_Head],
        size: int,
        other: str,
        duty: str | None,
        rank: str | list[str] = "",
        female_share: float = 0.1,
    ) -> None:
        for slot, position, role, r, deg in first:
            p.add(
                org,
                slot,
                position,
                duty=role,
                home=regency,
                district=None,
                rank=r,
                degrees=deg,
                female_share=female_share,
            )
        for n in range(1, size - len(first) + 1):
            p.add(
                org,
                f"anggota-{n:03d}",
                other,
                duty=duty,
                home=regency,
                district=None,
                rank=rank,
                female_share=female_share,
            )

    # Polri: Polres headquarters, its units, one Polsek per kecamatan.
    regency_staff(
        "polres-jepara",
        [
            ("kapolres", "Kapolres Jepara", "kapolres", "AKBP", "police_senior"),
            ("wakapolres", "Wakapolres Jepara", "personel_polri", "Kompol", "police_senior"),
            ("kabag-ops", "Kabag Ops Polres Jepara", "kabag_ops", "Kompol", "police_officer"),
            ("kasi-tik", "Kasi TIK Polres Jepara", "personel_polri", "Ipda", "police_officer"),
        ],
        int(forces["polres_hq"]),
        "Staf Polres Jepara",
        "personel_polri",
        ranks["polri_junior"],
    )
    for u in units:
        regency_staff(
            u["code"],
            [("kasat", f"Kasat {u['short_name'].removeprefix('Sat ')}", "personel_polri", "AKP", "police_officer")],
            int(u["staff"]),
            f"Anggota {u['short_name']}",
            "personel_polri",
            ranks["polri_junior"],
        )
    polri_fixed = int(forces["polres_hq"]) + sum(int(u["staff"]) for u in units)
    polsek_extra = apportion(
        int(forces["polri_total"]) - polri_fixed - len(facts.districts) - len(facts.villages),
        [tps_per_district[d.code] for d in facts.districts],
        minimum=int(forces["polsek_min_extra"]),
    )
    kanit = ["Kanit Reskrim", "Kanit Samapta", "Kanit Intelkam", "Kanit Binmas", "Kasi Humas", "Ka SPKT"]
    for d, extra in zip(facts.districts, polsek_extra, strict=True):
        org = f"polsek-{district_slug(d)}"
        p.add(
            org,
            "kapolsek",
            f"Kapolsek {d.name}",
            duty="kapolsek",
            home=d.code,
            district=d.code,
            rank=["AKP", "Iptu"],
            degrees="police_officer",
        )
        for v in facts.villages_of(d.code):
            p.add(
                org,
                f"bhabinkamtibmas-{v.code}",
                f"Bhabinkamtibmas {_place(v)}",
                duty="bhabinkamtibmas",
                home=v.code,
                district=d.code,
                rank=ranks["polri_bhabin"],
                female_share=0.05,
            )
        for n in range(1, extra + 1):
            position = f"{kanit[n - 1]} Polsek {d.name}" if n <= len(kanit) else f"Anggota Polsek {d.name}"
            rank = ranks["polri_officer"] if n <= len(kanit) else ranks["polri_junior"]
            p.add(org, f"anggota-{n:03d}", position, duty="personel_polri", home=d.code, district=d.code, rank=rank)

    # TNI: Kodim headquarters and one Koramil per kecamatan (Babinsa in every village).
    regency_staff(
        "kodim-0719-jepara",
        [
            ("dandim", "Dandim 0719/Jepara", "dandim", "Letkol Inf", "army_officer"),
            ("kasdim", "Kasdim 0719/Jepara", "personel_tni", "Mayor Inf", "army_officer"),
            ("pasi-intel", "Pasi Intel Kodim 0719/Jepara", "personel_tni", "Kapten Inf", "army_officer"),
            ("pasi-ops", "Pasi Ops Kodim 0719/Jepara", "personel_tni", "Kapten Inf", "army_officer"),
            ("pasi-ter", "Pasi Ter Kodim 0719/Jepara", "personel_tni", "Kapten Arh", "army_officer"),
            ("pasi-log", "Pasi Log Kodim 0719/Jepara", "personel_tni", "Lettu Inf", "army_officer"),
        ],
        int(forces["kodim_hq"]),
        "Staf Kodim 0719/Jepara",
        "personel_tni",
        ranks["tni_junior"],
        0.03,
    )
    koramil_extra = apportion(
        int(forces["tni_total"]) - int(forces["kodim_hq"]) - len(facts.districts) - len(facts.villages),
        [tps_per_district[d.code] for d in facts.districts],
        minimum=int(forces["koramil_min_extra"]),
    )
    bati = ["Batiuud", "Bati Bakti TNI", "Bati Ter", "Bati Intel"]
    numbers = facts.organisations["koramil_numbers"]
    for d, extra in zip(facts.districts, koramil_extra, strict=True):
        org = f"koramil-{district_slug(d)}"
        label = f"Koramil {numbers[d.code]['number']}/{d.name}" if d.code in numbers else f"Koramil {d.name}"
        p.add(
            org,
            "danramil",
            f"Danramil {label.removeprefix('Koramil ')}",
            duty="danramil",
            home=d.code,
            district=d.code,
            rank=["Kapten Inf", "Kapten Arh", "Lettu Inf", "Peltu"],
            degrees="army_officer",
            female_share=0.0,
        )
        for v in facts.villages_of(d.code):
            p.add(
                org,
                f"babinsa-{v.code}",
                f"Babinsa {_place(v)}",
                duty="babinsa",
                home=v.code,
                district=d.code,
                rank=ranks["tni_babinsa"],
                female_share=0.0,
            )
        for n in range(1, extra + 1):
            position = f"{bati[n - 1]} {label}" if n <= len(bati) else f"Anggota {label}"
            p.add(
                org,
                f"anggota-{n:03d}",
                position,
                duty="personel_tni",
                home=d.code,
                district=d.code,
                rank=ranks["tni_junior"],
                female_share=0.03,
            )

    # Linmas: the 6,615 available, spread over villages by need (2 per TPS + 4 for the PPS office).
    per_tps, per_office = int(forces["linmas_per_tps"]), int(forces["linmas_per_office"])
    linmas = apportion(
        int(forces["linmas_available"]), [per_tps * tps_per_village[v.code] + per_office for v in facts.villages]
    )
    for v, n in zip(facts.villages, linmas, strict=True):
        for k in range(1, n + 1):
            p.add(
                "linmas-jepara",
                f"{v.code}-{k:03d}",
                f"Anggota Linmas {_place(v)}",
                duty="linmas",
                home=v.code,
                district=v.district_code,
                female_share=0.08,
            )

    # KPU and its committees.
    kpu = int(committees["kpu_members"])
    regency_staff(
        "kpu-jepara",
        [("ketua", "Ketua KPU Kabupaten Jepara", "ketua_kpu", "", "civil")]
        + [(f"anggota-{n}", "Anggota KPU Kabupaten Jepara", None, "", "civil") for n in range(1, kpu)]
        + [("sekretaris", "Sekretaris KPU Kabupaten Jepara", None, "", "civil")],
        kpu + 1,
        "",
        None,
        female_share=0.35,
    )
    for d in facts.districts:
        for n in range(1, int(committees["ppk_members"]) + 1):
            position = f"{'Ketua' if n == 1 else 'Anggota'} PPK {d.name}"
            p.add(
                f"ppk-{district_slug(d)}",
                f"anggota-{n}",
                position,
                duty="anggota_ppk",
                home=d.code,
                district=d.code,
                female_share=0.35,
                degrees="civil" if n == 1 else None,
            )
        for v in facts.villages_of(d.code):
            for n in range(1, int(committees["pps_members"]) + 1):
                position = f"{'Ketua' if n == 1 else 'Anggota'} PPS {v.name}"
                p.add(
                    f"pps-{district_slug(d)}-{slugify(v.name)}",
                    f"anggota-{n}",
                    position,
                    duty="anggota_pps",
                    home=v.code,
                    district=d.code,
                    female_share=0.35,
                )

    # Bawaslu and Panwascam.
    bawaslu = int(committees["bawaslu_members"])
    regency_staff(
        "bawaslu-jepara",
        [
            ("ketua", "Ketua Bawaslu Kabupaten Jepara", "ketua_bawaslu", "", "civil"),
            (
                "anggota-1",
                "Anggota Bawaslu Kabupaten Jepara, Koordinator Divisi Penanganan Pelanggaran (penghubung)",
                None,
                "",
                "law",
            ),
        ]
        + [(f"anggota-{n}", "Anggota Bawaslu Kabupaten Jepara", None, "", "civil") for n in range(2, bawaslu)],
        bawaslu,
        "",
        None,
        female_share=0.35,
    )
    for d in facts.districts:
        for n in range(1, int(committees["panwascam_members"]) + 1):
            position = f"{'Ketua' if n == 1 else 'Anggota'} Panwaslu Kecamatan {d.name}"
            p.add(
                f"panwascam-{district_slug(d)}",
                f"anggota-{n}",
                position,
                duty="panwascam",
                home=d.code,
                district=d.code,
                female_share=0.35,
            )

    # Pemkab: Setda, Satpol PP, BPBD, Kesbangpol, Camat.
    regency_staff(
        "pemkab-jepara",
        [
            ("asisten-1", "Asisten Pemerintahan dan Kesra Setda", "staf_pemda", "", "civil"),
            ("kabag-pemerintahan", "Kabag Pemerintahan Setda", "staf_pemda", "", "civil"),
        ],
        3,
        "Staf Bagian Pemerintahan Setda",
        "staf_pemda",
        female_share=0.4,
    )
    regency_staff(
        "satpol-pp-jepara",
        [
            ("kepala", "Kepala Satpol PP Kabupaten Jepara", "satpol_pp", "", "civil"),
            ("kabid-linmas", "Kabid Perlindungan Masyarakat (Linmas)", "satpol_pp", "", "civil"),
        ],
        21,
        "Anggota Satpol PP",
        "satpol_pp",
        female_share=0.15,
    )
    regency_staff(
        "bpbd-jepara",
        [
            ("kalaksa", "Kepala Pelaksana BPBD", "staf_pemda", "", "civil"),
            ("kabid-kedaruratan", "Kabid Kedaruratan dan Logistik BPBD", "staf_pemda", "", "civil"),
        ],
        6,
        "Staf Pusdalops BPBD",
        "staf_pemda",
        female_share=0.3,
    )
    regency_staff(
        "kesbangpol-jepara",
        [
            ("kepala", "Kepala Badan Kesbangpol", "staf_pemda", "", "civil"),
            ("kabid-poldagri", "Kabid Politik Dalam Negeri", "staf_pemda", "", "civil"),
            ("analis", "Analis Kebijakan Kesbangpol (pemantau linsek)", "staf_pemda", "", "civil"),
        ],
        5,
        "Staf Kesbangpol",
        "staf_pemda",
        female_share=0.4,
    )
    for d in facts.districts:
        org = f"camat-{district_slug(d)}"
        p.add(
            org,
            "camat",
            f"Camat {d.name}",
            duty="camat",
            home=d.code,
            district=d.code,
            degrees="civil",
            female_share=0.25,
        )
        p.add(
            org,
            "sekcam",
            f"Sekretaris Kecamatan {d.name}",
            duty="staf_pemda",
            home=d.code,
            district=d.code,
            female_share=0.35,
        )

    # Kejari and PN.
    regency_staff(
        "kejari-jepara",
        [
            ("kajari", "Kepala Kejaksaan Negeri Jepara", "jaksa", "", "law"),
            ("kasi-pidum", "Kasi Pidana Umum Kejari Jepara", "jaksa", "", "law"),
        ],
        4,
        "Jaksa Fungsional (Sentra Gakkumdu)",
        "jaksa",
        female_share=0.4,
    )
    regency_staff(
        "pn-jepara",
        [
            ("ketua", "Ketua Pengadilan Negeri Jepara", "hakim", "", "law"),
            ("hakim-1", "Hakim Pengadilan Negeri Jepara", "hakim", "", "law"),
            ("hakim-2", "Hakim Pengadilan Negeri Jepara", "hakim", "", "law"),
            ("panitera", "Panitera Pengadilan Negeri Jepara", "panitera", "", "law"),
        ],
        4,
        "",
        None,
        female_share=0.4,
    )

    keys = [r.key for r in p.rows]
    assert len(keys) == len(set(keys)), "person keys must be unique"
    return p.rows


def _place(v: Village) -> str:
    return f"{'Kel.' if v.kind == 'kelurahan' else 'Desa'} {v.name}"
