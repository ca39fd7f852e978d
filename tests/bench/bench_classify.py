"""Throughput of the classifier on 3,000-character releases, one core.

Run explicitly: `.venv/bin/python -m pytest tests/bench/bench_classify.py -s`. It prints the rate
and asserts nothing: timings belong to the machine, not to the code.

On a shared machine the rate moves with the load, so each round also times a peer: a plain
keyword scan of the same texts (lower-case, split into words, look each up in a set), fixed
code that does not change with ours. The ratio of the two rates holds better under load than
either rate; compare ratios between two versions of the classifier, and rates only when quiet.
"""

from __future__ import annotations

import random
import re
import time

from feeds.judge.classify import Classifier

TEXT_CHARS = 3000
RELEASES = 300
ROUNDS = 5

SENTENCES = {
    "en": [
        "Prime Minister Trudeau, President Sheinbaum and President Biden met in Ottawa today.",
        "The leaders agreed to strengthen North American supply chains for semiconductors.",
        "Officials will meet again under the North American Drug Dialogue to curb fentanyl.",
        "The three countries committed to reduce methane emissions from the energy sector.",
        "Canada, Mexico and the United States will expand legal pathways for migrants.",
        "The governments pledged to fight gender-based violence against Indigenous women.",
        "Health ministers reviewed preparations for the next influenza pandemic.",
        "The ministers discussed arms trafficking and illicit finance along the border.",
        "The Secretary congratulated the team on a successful season and a great game.",
        "Our countries share values of democracy, prosperity, inclusiveness and security.",
    ],
    "es": [
        "Los líderes de México, Canadá y Estados Unidos se reunieron en la Ciudad de México.",
        "Los tres países acordaron fortalecer las cadenas de suministro de la región.",
        "Se impulsará la cooperación para combatir el tráfico de fentanilo y de armas.",
        "Los gobiernos promoverán vías regulares para la migración y la movilidad laboral.",
        "La Cumbre de Líderes de América del Norte abordó el cambio climático y el metano.",
        "Las autoridades de salud revisaron la respuesta a la pandemia y las vacunas.",
        "El canciller subrayó la importancia de la igualdad de género y la no discriminación.",
        "El Presidente inauguró una escuela en el estado de Oaxaca y saludó a los maestros.",
    ],
    "fr": [
        "Le premier ministre a rencontré la présidente du Mexique et le président des États-Unis.",
        "Les trois pays ont convenu de renforcer les chaînes d'approvisionnement nord-américaines.",
        "Les dirigeants se sont engagés à réduire les émissions de méthane d'ici 2030.",
        "Le Canada accueillera des réfugiés et élargira les voies régulières de migration.",
        "Les ministres ont discuté de la lutte contre le trafic de fentanyl et d'armes à feu.",
        "La santé publique et la préparation aux pandémies figuraient à l'ordre du jour.",
        "Le Sommet des leaders nord-américains a réaffirmé l'équité et la justice raciale.",
        "Le premier ministre a félicité les athlètes canadiens pour leurs médailles.",
    ],
}
TITLES = {
    "en": "Joint Statement following the North American Leaders’ Summit",
    "es": "Declaración conjunta de los líderes de América del Norte",
    "fr": "Déclaration commune des dirigeants nord-américains",
}


def _release(rng: random.Random, lang: str) -> tuple[str, str]:
    parts: list[str] = []
    length = 0
    while length < TEXT_CHARS:
        sentence = rng.choice(SENTENCES[lang])
        parts.append(sentence + ("\n\n" if rng.random() < 0.25 else " "))
        length += len(parts[-1])
    return TITLES[lang], "".join(parts)[:TEXT_CHARS]


PEER_WORDS = frozenset(
    [
        "summit",
        "leaders",
        "trilateral",
        "fentanyl",
        "migration",
        "climate",
        "health",
        "security",
        "trade",
        "border",
    ]
)
_WORD = re.compile(r"\w+")


def _peer(releases: list[tuple[str, str]]) -> int:
    """The peer's work: the keyword scan a plain alert rule does, on every release."""
    hits = 0
    for title, text in releases:
        for word in _WORD.findall(f"{title}\n{text}".lower()):
            if word in PEER_WORDS:
                hits += 1
    return hits


def test_classify_throughput() -> None:
    rng = random.Random(2023)
    releases = [_release(rng, lang) for lang in ("en", "es", "fr") for _ in range(RELEASES // 3)]
    classifier = Classifier.load()
    for title, text in releases:  # warm the token caches, as a running poller would have
        classifier.classify(title, text)
    best = best_cpu = peer = 0.0
    for _ in range(ROUNDS):  # the peer and the classifier in turns, under the same load
        start = time.process_time()
        _peer(releases)
        peer = max(peer, len(releases) / (time.process_time() - start))
        start, start_cpu = time.perf_counter(), time.process_time()
        for title, text in releases:
            classifier.classify(title, text)
        best = max(best, len(releases) / (time.perf_counter() - start))
        best_cpu = max(best_cpu, len(releases) / (time.process_time() - start_cpu))
    # CPU time as well: on a shared machine the wall clock also counts the other processes.
    print(
        f"\nclassify: {best:,.0f} releases/s, {best_cpu:,.0f} a second of CPU time "
        f"({TEXT_CHARS}-character texts, one core); peer keyword scan {peer:,.0f} a second "
        f"of CPU time, ratio {best_cpu / peer:.4f}"
    )
