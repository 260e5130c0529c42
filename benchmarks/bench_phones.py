"""The phone rule alone on numbers it has never seen: µs per number for the level schema a
phone field uses (``possible``/``valid``), against the E.164 regex floor, each validator
built fresh (its Rust lazy DFA starts cold) and fed 6,000 fresh mixed-country numbers,
then the same numbers again (warm).  Medians of ``ROUNDS`` fresh validators, timed in
CPU time of this process (the figure a shared, busy machine disturbs least).

Numbers: every region's mobile and fixed-line example with its last 1-4 digits replaced
at random, kept when phonenumbers says valid (what a send list of many countries looks
like).  ``python benchmarks/bench_phones.py``.
"""

from __future__ import annotations

import random
import statistics
import time

ROUNDS = 9
COUNT = 6000


def fresh_numbers(count: int, seed: int) -> list[str]:
    import phonenumbers as pn

    rnd = random.Random(seed)
    bases = []
    for region in sorted(pn.SUPPORTED_REGIONS):
        for kind in (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE):
            example = pn.example_number_for_type(region, kind)
            if example is not None:
                bases.append(pn.format_number(example, pn.PhoneNumberFormat.E164))
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        base = rnd.choice(bases)
        k = rnd.randint(1, min(4, len(base) - 4))
        number = base[:-k] + "".join(rnd.choice("0123456789") for _ in range(k))
        if number not in seen:
            seen.add(number)
            if pn.is_valid_number(pn.parse(number, None)):
                out.append(number)
    return out


def _per_number(check, numbers: list[str]) -> float:
    start = time.process_time()
    for n in numbers:
        check(n)
    return (time.process_time() - start) / len(numbers) * 1e6


def main() -> None:
    from pydantic_core import SchemaValidator, core_schema as cs

    from trackly_validate.core.catalog import C
    from trackly_validate.rules.phones import E164_PATTERN, level_schema

    numbers = fresh_numbers(COUNT, seed=11)
    builders = {
        "floor (E.164 regex)": lambda: SchemaValidator(cs.str_schema(pattern=E164_PATTERN, strict=True)),
        "possible": lambda: SchemaValidator(level_schema("possible", C.invalid_phone)),
        "valid": lambda: SchemaValidator(level_schema("valid", C.invalid_phone)),
    }
    cold: dict[str, list[float]] = {k: [] for k in builders}
    warm: dict[str, list[float]] = {k: [] for k in builders}
    for _ in range(ROUNDS):
        for name, build in builders.items():  # interleaved: a noisy spell hits every contender
            check = build().validate_python
            cold[name].append(_per_number(check, numbers))
            warm[name].append(_per_number(check, numbers))
    floor = statistics.median(cold["floor (E.164 regex)"])
    for name in builders:
        c, w = statistics.median(cold[name]), statistics.median(warm[name])
        print(f"phone rule {name:20s} first sight {c:6.3f} µs ({c / floor:4.1f}x floor)  warm {w:6.3f} µs")


if __name__ == "__main__":
    main()
