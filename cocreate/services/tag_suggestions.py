"""Suggested tags for an idea, from its text (pure functions, no database; issue 8).

Zero-shot: each default tag that has a description below is embedded with the same
multilingual-e5-small model as the ideas (cocreate.services.suggestions), from a short
list of words in English, French, Spanish and Korean ("passage: housing, rent,
tenants..."), one vector per language, averaged. An idea is scored against every tag of
a kind by cosine similarity, less the idea's mean similarity to that kind's tags: e5's
raw similarities sit in a narrow band that shifts from one idea (and language) to the
next, and only how much a tag stands out from its kind says something. Tags whose score
reaches THRESHOLD are suggested, at most MAX_PER_KIND per kind, best first.

Only kinds measured reliable are suggested (SUGGESTED_KINDS): the policy domains, whose
precision at THRESHOLD was measured on real participatory-budgeting proposals and Korean
petitions (bench/clustering/tags.py, docs/clustering.md "Tag suggestions"). Rights and
groups have no labelled data to measure against, and a wrong human-rights tag is worse
than none, so they get no suggestion. Tags an organizer added have no key and no
description: they get none either.

Deterministic: the same texts give the same scores (the engine has no randomness); ties
keep the default list's order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cocreate.services import suggestions
from cocreate.tagsets import DEFAULTS, TAG_KINDS

#: The kinds whose suggestions were measured reliable enough to show (see the docstring).
SUGGESTED_KINDS = ("domains",)
#: The tags that may be suggested: the domains whose suggestions were right at least 80%
#: of the time on Warsaw's proposals when every domain could be (0.82-0.93). Health and care (0.57),
#: climate justice (0.53), work and income (0 of 5) fell short; housing, safety and
#: participation have no category to measure them by, and every one of their suggestions
#: there was on a text of another domain. They are still scored, so that each idea is
#: measured against all the domains.
SUGGESTED_TAGS = frozenset({"education-digital", "mobility-accessibility", "culture"})
#: A tag is suggested when its similarity to the idea exceeds the idea's mean similarity
#: to the kind's tags by at least this much: the lowest threshold at which suggestions
#: on Warsaw's proposals were right at least 85% of the time (0.89; a margin over the
#: 0.8 asked of held-out sets: Toulouse 0.93, English 0.82, Korean petitions 0.73).
THRESHOLD = 0.015
#: At most this many suggestions per kind.
MAX_PER_KIND = 2

#: What each described default tag covers, in the workshop's languages. Keywords, not
#: sentences: e5 matches an idea to the words of its subject, whatever the idea's language.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "housing": (
        "housing: homes, rent, tenants, social housing, affordable flats, eviction, "
        "homelessness, shelters, landlords",
        "logement : loyers, locataires, logement social, HLM, expulsions, sans-abri, "
        "hébergement d'urgence",
        "vivienda: alquiler, inquilinos, vivienda social, pisos asequibles, desahucios, "
        "personas sin hogar, albergues",
        "주거: 주택, 월세, 전세, 임대주택, 세입자, 강제퇴거, 노숙인, 쉼터",
    ),
    "work-income": (
        "work and income: jobs, employment, wages, minimum wage, unemployment, workers' "
        "rights, trade unions, poverty, social benefits",
        "travail et revenus : emploi, salaires, chômage, droits des travailleurs, syndicats, "
        "pauvreté, allocations",
        "trabajo e ingresos: empleo, salarios, paro, derechos laborales, sindicatos, "
        "pobreza, subsidios",
        "일자리와 소득: 고용, 임금, 최저임금, 실업, 노동자 권리, 노동조합, 비정규직, 빈곤",
    ),
    "education-digital": (
        "education and digital inclusion: schools, teachers, pupils, students, learning, "
        "kindergarten, libraries, computers, internet access, digital skills",
        "éducation et inclusion numérique : écoles, enseignants, élèves, apprentissage, "
        "bibliothèques, ordinateurs, accès à internet, compétences numériques",
        "educación e inclusión digital: escuelas, maestros, alumnos, aprendizaje, "
        "bibliotecas, ordenadores, acceso a internet, competencias digitales",
        "교육과 디지털 포용: 학교, 교사, 학생, 수업, 유치원, 도서관, 컴퓨터, "
        "인터넷 접근, 디지털 교육",
    ),
    "mobility-accessibility": (
        "mobility and accessibility: public transport, buses, trams, metro, cycle lanes, "
        "sidewalks, roads, traffic, parking, pedestrian crossings, ramps, step-free access",
        "mobilité et accessibilité : transports en commun, bus, tramway, métro, pistes "
        "cyclables, trottoirs, circulation, stationnement, passages piétons, rampes",
        "movilidad y accesibilidad: transporte público, autobuses, tranvía, metro, carriles "
        "bici, aceras, tráfico, aparcamiento, pasos de peatones, rampas",
        "이동과 접근성: 대중교통, 버스, 지하철, 자전거도로, 보도, 도로, 교통, 주차, "
        "횡단보도, 경사로",
    ),
    "health-care": (
        "health and care: hospitals, doctors, nurses, clinics, mental health, medicines, "
        "illness, care for older people, support for disabled people, social welfare",
        "santé et soins : hôpitaux, médecins, infirmiers, santé mentale, médicaments, "
        "maladies, aide à domicile, aide sociale",
        "salud y cuidados: hospitales, médicos, enfermería, salud mental, medicamentos, "
        "enfermedades, cuidados, asistencia social",
        "보건과 돌봄: 병원, 의사, 간호, 정신건강, 의약품, 질병, 요양, 돌봄, 사회복지",
    ),
    "safety": (
        "safety and freedom from violence: crime, police, violence against women, domestic "
        "abuse, harassment, street lighting, protection of victims",
        "sécurité et protection contre la violence : délinquance, police, violences faites "
        "aux femmes, violences conjugales, harcèlement, éclairage public, victimes",
        "seguridad y vida libre de violencia: delincuencia, policía, violencia de género, "
        "maltrato, acoso, alumbrado público, víctimas",
        "안전과 폭력으로부터의 자유: 범죄, 경찰, 여성폭력, 가정폭력, 성희롱, 가로등, 피해자 보호",
    ),
    "participation": (
        "participation: residents' say in decisions, public consultation, participatory "
        "budgeting, citizens' assemblies, voting, local democracy, open government",
        "participation : concertation, budget participatif, conseils de quartier, assemblée "
        "citoyenne, vote, démocratie locale, transparence",
        "participación: consulta ciudadana, presupuestos participativos, asambleas vecinales, "
        "voto, democracia local, transparencia",
        "참여: 주민참여, 공청회, 주민참여예산, 시민의회, 투표, 지방자치, 행정 투명성",
    ),
    "climate-justice": (
        "climate justice: climate change, air pollution, emissions, renewable energy, heat "
        "waves, recycling, waste, protecting the environment",
        "justice climatique : changement climatique, pollution de l'air, émissions, énergies "
        "renouvelables, canicules, recyclage, déchets, environnement",
        "justicia climática: cambio climático, contaminación del aire, emisiones, energías "
        "renovables, olas de calor, reciclaje, residuos, medio ambiente",
        "기후정의: 기후변화, 미세먼지, 대기오염, 탄소배출, 재생에너지, 폭염, 재활용, "
        "쓰레기, 환경보호",
    ),
    "culture": (
        "culture: arts, music, theatre, cinema, museums, festivals, concerts, heritage, "
        "cultural centres, creative workshops",
        "culture : arts, musique, théâtre, cinéma, musées, festivals, concerts, patrimoine, "
        "centres culturels",
        "cultura: artes, música, teatro, cine, museos, festivales, conciertos, patrimonio, "
        "centros culturales",
        "문화: 예술, 음악, 연극, 영화, 박물관, 축제, 공연, 문화유산, 문화센터",
    ),
}

#: Each described default tag's kind, in the default lists' order.
KIND_OF = {key: kind for kind in TAG_KINDS for key, _label in DEFAULTS[kind] if key in DESCRIPTIONS}

Encoder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Suggestion:
    """A default tag suggested for an idea: its key, kind and score (margin over the kind)."""

    key: str
    kind: str
    score: float


_prototypes: dict[str, np.ndarray] = {}
_prototypes_lock = threading.Lock()


def passages(texts: list[str]) -> np.ndarray:
    """Unit-length e5 embeddings of `texts` as passages (what a query is matched against)."""
    model = suggestions._model  # the one model of the process, and its lock
    with model._lock:
        engine = model._load()
        vectors = np.asarray(engine.passage(texts), dtype=np.float32).reshape(len(texts), -1)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def prototypes(encoder: Encoder | None = None) -> dict[str, np.ndarray]:
    """One unit vector per described tag: its descriptions' passage embeddings, averaged.

    Computed once per process with the real model; with `encoder` (tests, benchmarks),
    computed afresh each time.
    """
    if encoder is None:
        with _prototypes_lock:
            if not _prototypes:
                _prototypes.update(_build(passages))
            return _prototypes
    return _build(encoder)


def keywords(key: str) -> list[str]:
    """The words of a tag's descriptions, one by one: each description's head (the tag's
    name in that language), then its comma-separated keywords."""
    words: list[str] = []
    for description in DESCRIPTIONS[key]:
        head, _colon, rest = description.partition(":")
        words += [head.strip(), *(w.strip() for w in rest.split(",") if w.strip())]
    return list(dict.fromkeys(words))


def _build(encoder: Encoder) -> dict[str, np.ndarray]:
    """Each keyword embedded on its own, then averaged: a whole description embedded at
    once is dominated by its first words (measured: Warsaw top-1 0.46 against 0.60)."""
    built = {}
    for key in KIND_OF:
        mean = encoder(keywords(key)).mean(axis=0)
        built[key] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return built


def scores(vectors: np.ndarray, tag_vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each kind's scores: rows = ideas, columns = the kind's described tags in KIND_OF order.

    A score is the idea's cosine similarity to the tag less its mean similarity to the
    kind's tags.
    """
    scored = {}
    for kind in TAG_KINDS:
        keys = [key for key, of in KIND_OF.items() if of == kind]
        if not keys:
            continue
        raw = vectors @ np.stack([tag_vectors[key] for key in keys]).T
        scored[kind] = raw - raw.mean(axis=1, keepdims=True)
    return scored


def pick(
    row: np.ndarray,
    keys: Sequence[str],
    kind: str,
    *,
    threshold: float = THRESHOLD,
    most: int = MAX_PER_KIND,
) -> list[Suggestion]:
    """The best `most` of one idea's scores in a kind that reach `threshold`, best first."""
    order = np.argsort(-row, kind="stable")[:most]
    return [
        Suggestion(keys[i], kind, round(float(row[i]), 4)) for i in order if row[i] >= threshold
    ]


def suggest(
    texts: Sequence[str],
    *,
    kinds: Sequence[str] = SUGGESTED_KINDS,
    keys: Sequence[str] | None = None,
    encoder: Encoder | None = None,
    passage_encoder: Encoder | None = None,
) -> list[list[Suggestion]]:
    """Suggested default tags for each of `texts`, best first within each kind (kinds in
    TAG_KINDS order); [] for an idea with none. Only tags of `kinds` and, when given, whose
    key is in `keys` (a workshop's default tags still on its lists) are suggested; a
    tag's score is computed among all its kind's described tags either way, so removing
    one tag from a list never changes another's suggestion.
    """
    if not texts:
        return []
    vectors = (encoder or suggestions.encode)(list(texts))
    tag_vectors = prototypes(passage_encoder)
    allowed = SUGGESTED_TAGS if keys is None else SUGGESTED_TAGS & set(keys)
    answers: list[list[Suggestion]] = [[] for _ in texts]
    for kind, matrix in scores(vectors, tag_vectors).items():
        if kind not in kinds:
            continue
        kind_keys = [key for key, of in KIND_OF.items() if of == kind]
        for i, row in enumerate(matrix):
            masked = np.where([key in allowed for key in kind_keys], row, -np.inf)
            answers[i].extend(pick(masked, kind_keys, kind))
    return answers
