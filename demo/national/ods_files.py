"""Fictional ODS extracts at national scale, in ODS's own layouts (organisations/ods/layouts.py):
to measure ``import_ods`` on files the size of England's (scale 1.0: 42 ICBs through about 105
sub-ICB locations, 252 trusts, 1,260 PCNs, about 7,000 practices, about 14,000 pharmacies of
which 60% belong to 12 companies), with closures, successions and practices that moved PCN.
Every code and name is made up. ``write_ods_files(directory, scale, seed)``; used by
``seed_national --write-ods DIR``."""

import csv
import random
from pathlib import Path

from .organisations import _code

REGIONS = ("Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63")
ICBS, SUB_ICBS_PER_ICB, TRUSTS_PER_ICB, PCNS_PER_ICB = 42, 2.5, 6, 30
PRACTICES_PER_PCN, PHARMACIES_PER_ICB, COMPANIES = 5.6, 333, 12
OPENED, ICB_OPENED, MOVED_ON = "19740401", "20220701", "20250401"


def _row(code, name, region, geography, postcode, opened, closed="", **at) -> list[str]:
    fields = [""] * 27
    fields[:4] = [code, name, region, geography]
    fields[4:10] = ["1 HIGH STREET", "", "TOWN", "", "", postcode]
    fields[10:12] = [opened, closed]
    for key, value in at.items():
        fields[int(key[1:])] = value
    return fields


def _write(path: Path, rows) -> int:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerows(rows)
    return len(rows)


def write_ods_files(directory, scale: float = 1.0, seed: int = 2026) -> dict[str, int]:
    """Write the extracts into ``directory``; returns each file's number of rows."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files: dict[str, list] = {name: [] for name in ("eother", "eccg", "etr", "epraccur")}
    files |= {name: [] for name in ("epharmacyhq", "edispensary", "succ", "epcn", "partners")}
    companies = [_code("FH", n + 1, 3) for n in range(max(2, round(COMPANIES * scale)))]
    for n, company in enumerate(companies):
        files["epharmacyhq"].append(
            _row(company, f"PHARMACY COMPANY {n + 1} LTD", "", "", "EC1 1AA", "20000101")
        )
    counters = dict.fromkeys(("sub", "trust", "pcn", "practice", "pharmacy"), 0)
    for i in range(max(1, round(ICBS * scale))):
        region, icb = REGIONS[i % len(REGIONS)], _code("Q", i + 1, 2)
        area = f"AREA {i + 1}"
        files["eother"].append(
            _row(icb, f"NHS {area} INTEGRATED CARE BOARD", region, "", "AB1 1AA", ICB_OPENED)
        )
        subs = []
        for _ in range(2 + (rng.random() < SUB_ICBS_PER_ICB - 2)):
            counters["sub"] += 1
            sub = f"{counters['sub']:02d}{'ABCDEFGHJK'[counters['sub'] % 10]}"
            subs.append(sub)
            files["eccg"].append(
                _row(sub, f"NHS {area} ICB - {sub}", region, icb, "AB1 1AB", ICB_OPENED, c13="C")
            )
        trusts = []
        for _ in range(TRUSTS_PER_ICB):
            counters["trust"] += 1
            code = _code("R", counters["trust"], 2)
            kind = "NHS FOUNDATION TRUST" if rng.random() < 0.6 else "NHS TRUST"
            name = f"{area} HOSPITALS {counters['trust']} {kind}"
            if rng.random() < 0.08 and trusts:  # taken over by a trust of the area
                files["etr"].append(_row(code, name, region, icb, "AB2 2AA", OPENED, "20250331"))
                files["succ"].append([code, rng.choice(trusts), "R", "20250401", "S"])
            else:
                files["etr"].append(_row(code, name, region, icb, "AB2 2AA", OPENED))
                trusts.append(code)
        pcns = []
        for _ in range(PCNS_PER_ICB):
            counters["pcn"] += 1
            pcn, sub = f"U{counters['pcn']:05d}", rng.choice(subs)
            pcns.append((pcn, sub))
            files["epcn"].append(
                [pcn, f"{area} PCN {counters['pcn']}", sub, "", "20200701", "", "", "", "", ""]
                + ["", "AB3 3AA"]
            )
        for pcn, sub in pcns:
            for _ in range(int(PRACTICES_PER_PCN) + (rng.random() < PRACTICES_PER_PCN % 1)):
                counters["practice"] += 1
                n = counters["practice"]
                code = f"{'ABCDEFGHJKLMNP'[n // 99_999]}{n % 99_999:05d}"
                closed = "20250930" if rng.random() < 0.02 else ""
                status = "C" if closed else rng.choice(("A", "ACTIVE"))
                files["epraccur"].append(
                    _row(
                        code,
                        f"{area} SURGERY {n}",
                        region,
                        icb,
                        "AB4 4AA",
                        OPENED,
                        closed,
                        c12=status,
                        c13="B",
                        c14=sub,
                        c15=ICB_OPENED,
                        c25="4" if status != "ACTIVE" else "RO76",
                    )
                )
                if rng.random() < 0.05:  # moved from another PCN
                    before = rng.choice(pcns)[0]
                    files["partners"].append(_partner(code, before, "20200701", "20250331"))
                    files["partners"].append(_partner(code, pcn, MOVED_ON, closed))
                else:
                    files["partners"].append(_partner(code, pcn, "20200701", closed))
        for _ in range(PHARMACIES_PER_ICB):
            counters["pharmacy"] += 1
            code = _code("F", counters["pharmacy"], 4)
            company = rng.choice(companies) if rng.random() < 0.6 else ""
            files["edispensary"].append(
                _row(
                    code,
                    f"{area} PHARMACY {counters['pharmacy']}",
                    region,
                    icb,
                    "AB5 5AA",
                    "20050101",
                    c12="A",
                    c14=company,
                    c15="20050101" if company else "",
                )
            )
    names = {"partners": "epcncorepartnerdetails"}
    return {
        names.get(name, name): _write(directory / f"{names.get(name, name)}.csv", rows)
        for name, rows in files.items()
    }


def _partner(practice: str, pcn: str, start: str, end: str) -> list[str]:
    return [practice, "", "", "", pcn, "", "", "", start, end, "TRUE"]
