"""Every figure of the two source documents (`shared/sources/`), loaded with its source.

Each loader is idempotent: it looks facts up by their natural key and updates them.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from akto_portal.models import DatePrecision, Qualifier, Region, Source
from contracts.models import ContractCount, ContractTarget, ContractType, MarketStat, Public
from conventions.models import (
    ActionPlan,
    ActionPlanAxis,
    Convention,
    ConventionAxis,
    Indicator,
    IndicatorValue,
    Partner,
    Signatory,
)
from conventions.services import convention_renew
from events.models import ActivityTotal, Event, EventKind

NORMANDIE_RELEASE = {
    "kind": Source.Kind.DOCUMENT,
    "title": "AKTO et la Région Normandie signent une convention d'objectifs et de moyens "
    "(communiqué, mai 2022)",
    "reference": "shared/sources/000_07d9d84aecb29408.txt",
}
AGEFIPH_RELEASE = {
    "kind": Source.Kind.DOCUMENT,
    "title": "AKTO et l'Agefiph ont renouvelé leur convention de partenariat "
    "(communiqué, juin 2025)",
    "reference": "shared/sources/003_c972c9a00e9e644b.txt",
}

AKTO = "AKTO"
HEDOU = ("Jean Hédou", "Président d'AKTO", AKTO)

ALTERNANCE_2022_AXES = [
    (1, "Informer et accompagner les entreprises"),
    (2, "Renforcer les liens avec les OFA/CFA"),
    (3, "Engager une négociation et contractualiser des conventions régionales"),
    (4, "Renforcer l'attractivité des métiers et promouvoir l'alternance"),
]

NORMANDIE_COM_AXES = [
    (1, "L'orientation et la cohérence de l'offre de formation en alternance"),
    (2, "La qualité des formations"),
    (3, "L'accessibilité de l'apprentissage pour les jeunes comme pour les employeurs"),
]

AGEFIPH_AXES = [
    (
        1,
        "Renforcer l'accès à l'emploi et la sécurisation des parcours professionnels "
        "des personnes handicapées",
    ),
    (
        2,
        "Amplifier la mobilisation des branches professionnelles et des entreprises en faveur "
        "de l'emploi des personnes handicapées",
    ),
]

# Results of the Agefiph 2022-24 convention: name, unit, axis, value, qualifier.
AGEFIPH_2022_RESULTS = [
    (
        "Personnes en situation de handicap en parcours de formation en alternance",
        Indicator.Unit.PEOPLE,
        1,
        8783,
        Qualifier.EXACT,
    ),
    (
        "Préparations opérationnelles à l'emploi collectives (POEC) pour des demandeurs d'emploi "
        "en situation de handicap",
        Indicator.Unit.PEOPLE,
        1,
        1780,
        Qualifier.AT_LEAST,
    ),
    (
        "Entreprises sensibilisées (dont organismes de formation et CFA)",
        Indicator.Unit.COMPANIES,
        2,
        10700,
        Qualifier.AT_LEAST,
    ),
    (
        "Actions menées sur l'ensemble des territoires, DROM compris",
        Indicator.Unit.ACTIONS,
        2,
        613,
        Qualifier.EXACT,
    ),
    (
        "Événements Aktiv'alternance dédiés à l'alternance des personnes handicapées",
        Indicator.Unit.EVENTS,
        1,
        51,
        Qualifier.EXACT,
    ),
    (
        "CFA mobilisés aux événements Aktiv'alternance",
        Indicator.Unit.TRAINING_BODIES,
        1,
        450,
        Qualifier.AT_LEAST,
    ),
    (
        "Entreprises engagées dans le Parcours Travailleurs Handicapés",
        Indicator.Unit.COMPANIES,
        2,
        1220,
        Qualifier.AT_LEAST,
    ),
    ("Référents handicap implantés en région", Indicator.Unit.PEOPLE, None, 17, Qualifier.EXACT),
    (
        "Régions dotées d'un plan d'actions territorial (12 de l'Hexagone, Guadeloupe, Guyane, "
        "Martinique, La Réunion, Mayotte)",
        Indicator.Unit.REGIONS,
        None,
        17,
        Qualifier.EXACT,
    ),
]
AGEFIPH_RESULTS_AS_OF = datetime.date(2025, 6, 18)

# The Normandie figures of the press release, as the COM's indicators. All reported (see
# load_normandie_release): name, unit, values by year, qualifier. Where the release gives
# two years, the first is also the indicator's starting value.
NORMANDIE_COM_INDICATORS = [
    (
        "Contrats d'apprentissage financés par AKTO en Normandie",
        Indicator.Unit.CONTRACTS,
        {2020: 2173, 2021: 3071},
        Qualifier.EXACT,
    ),
    (
        "Augmentation du nombre de contrats d'apprentissage financés par AKTO en Normandie "
        "(2021 par rapport à 2020)",
        Indicator.Unit.PERCENT,
        {2021: 41},
        Qualifier.EXACT,
    ),
    (
        "Réunions sur le thème de l'alternance réalisées par la direction régionale",
        Indicator.Unit.EVENTS,
        {2021: 26},
        Qualifier.EXACT,
    ),
    (
        "Entreprises ayant participé aux réunions sur l'alternance de la direction régionale",
        Indicator.Unit.COMPANIES,
        {2021: 493},
        Qualifier.EXACT,
    ),
    (
        "Salons d'orientation et d'alternance auxquels AKTO a participé en Normandie",
        Indicator.Unit.EVENTS,
        {2021: 5},
        Qualifier.EXACT,
    ),
]

# Activity totals of 2021 (Alternance 2022 press release): region code or None,
# event kind, measure, value, qualifier.
ACTIVITY_2021 = [
    (None, EventKind.INFO_MEETING, ActivityTotal.Measure.EVENTS, 200, Qualifier.ABOUT),
    (None, EventKind.INFO_MEETING, ActivityTotal.Measure.COMPANIES, 5000, Qualifier.EXACT),
    ("28", EventKind.INFO_MEETING, ActivityTotal.Measure.EVENTS, 26, Qualifier.EXACT),
    ("28", EventKind.INFO_MEETING, ActivityTotal.Measure.COMPANIES, 493, Qualifier.EXACT),
    (None, EventKind.CFA_MEETING, ActivityTotal.Measure.EVENTS, 500, Qualifier.AT_LEAST),
    (None, EventKind.CFA_MEETING, ActivityTotal.Measure.TRAINING_BODIES, 2500, Qualifier.EXACT),
    (None, EventKind.JOB_FAIR, ActivityTotal.Measure.EVENTS, 70, Qualifier.EXACT),
    ("28", EventKind.JOB_FAIR, ActivityTotal.Measure.EVENTS, 5, Qualifier.EXACT),
]


def _source(spec: Mapping[str, str]) -> Source:
    source, _ = Source.objects.update_or_create(
        kind=spec["kind"], title=spec["title"], defaults={"reference": spec["reference"]}
    )
    return source


def _convention(
    *,
    title: str,
    partners: Iterable[str],
    axes: Iterable[tuple[int, str]] = (),
    signatories: Iterable[tuple[str, str, str]] = (),
    **fields: Any,
) -> Convention:
    convention, _ = Convention.objects.update_or_create(title=title, defaults=fields)
    convention.partners.set(Partner.objects.filter(name__in=partners))
    for number, axis_title in axes:
        ConventionAxis.objects.update_or_create(
            convention=convention, number=number, defaults={"title": axis_title}
        )
    for name, role, organisation in signatories:
        Signatory.objects.update_or_create(
            convention=convention, name=name, defaults={"title": role, "organisation": organisation}
        )
    return convention


def load_normandie_release() -> None:
    source = _source(NORMANDIE_RELEASE)
    regions = {r.code: r for r in Region.objects.all()}
    normandie = regions["28"]

    for year, count in ((2020, 2173), (2021, 3071)):
        ContractCount.objects.update_or_create(
            region=normandie,
            branch=None,
            year=year,
            month=None,
            contract_type=ContractType.APPRENTISSAGE,
            public=Public.ALL,
            defaults={"count": count, "source": source},
        )
    ContractTarget.objects.update_or_create(
        year=2022,
        region=None,
        contract_type="",
        public=Public.ALL,
        defaults={"value": 110_000, "source": source},
    )
    MarketStat.objects.update_or_create(
        region=None,
        year=2021,
        month=None,
        measure=MarketStat.Measure.GROWTH_PCT,
        source=source,
        defaults={"value": 37},
    )

    plan, _ = ActionPlan.objects.update_or_create(
        title="Plan d'actions régional « Alternance 2022 »",
        defaults={"year": 2022, "source": source},
    )
    plan_axes = {}
    for number, axis_title in ALTERNANCE_2022_AXES:
        plan_axes[number], _ = ActionPlanAxis.objects.update_or_create(
            plan=plan, number=number, defaults={"title": axis_title}
        )

    for code, kind, measure, value, qualifier in ACTIVITY_2021:
        ActivityTotal.objects.update_or_create(
            year=2021,
            region=regions[code] if code else None,
            event_kind=kind,
            measure=measure,
            defaults={"value": value, "qualifier": qualifier, "source": source},
        )

    normandie_com = _convention(
        title="Convention d'objectifs et de moyens AKTO – Région Normandie",
        partners=["Région Normandie"],
        axes=NORMANDIE_COM_AXES,
        signatories=[HEDOU, ("Patrick Tuphé", "Représentant la présidence d'AKTO", AKTO)],
        kind=Convention.Kind.COM,
        status=Convention.Status.SIGNED,
        region=normandie,
        signed_on=datetime.date(2022, 5, 9),
        signed_on_precision=DatePrecision.DAY,
        summary="Favoriser un travail coopératif avec les CFA régionaux et l'OPCO pour orienter "
        "les jeunes vers les métiers des branches d'AKTO et développer l'alternance dans la "
        "région. Négociée tout au long de l'année 2021, signée lors de l'Assemblée apprentissage "
        "du Conseil régional de Normandie.",
        source=source,
    )
    # Reported, not computed: the release gives yearly figures from before the
    # convention (2020 and 2021; it was signed on 9 May 2022 and gives no period), and a
    # computed indicator sums the convention's own years; the meetings, companies and
    # salons are reported totals, not events recorded in the portal.
    for position, (name, unit, by_year, qualifier) in enumerate(NORMANDIE_COM_INDICATORS):
        baseline = by_year[min(by_year)] if len(by_year) > 1 else None
        indicator, _ = Indicator.objects.update_or_create(
            convention=normandie_com,
            name=name,
            defaults={
                "unit": unit,
                "computation": Indicator.Computation.REPORTED,
                "baseline": baseline,
                "baseline_qualifier": qualifier if baseline is not None else Qualifier.EXACT,
                "position": position,
            },
        )
        for year, value in by_year.items():
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                as_of=datetime.date(year, 12, 31),
                source=source,
                defaults={"value": value, "qualifier": qualifier},
            )
    for code, council in (
        ("24", "Région Centre-Val de Loire"),
        ("27", "Région Bourgogne-Franche-Comté"),
    ):
        _convention(
            title=f"Convention d'objectifs et de moyens AKTO – {council}",
            partners=[council],
            kind=Convention.Kind.COM,
            status=Convention.Status.SIGNED,
            region=regions[code],
            signed_on=datetime.date(2021, 1, 1),
            signed_on_precision=DatePrecision.YEAR,
            summary="Développement de l'apprentissage, de la formation professionnelle et de "
            "l'orientation.",
            source=source,
        )
    for code, council in (
        ("04", "Région Réunion"),
        ("03", "Collectivité territoriale de Guyane"),
        ("32", "Région Hauts-de-France"),
    ):
        _convention(
            title=f"Convention d'objectifs et de moyens AKTO – {council}",
            partners=[council],
            kind=Convention.Kind.COM,
            status=Convention.Status.NEGOTIATION,
            region=regions[code],
            summary="Conclusion annoncée « dans les prochaines semaines » en mai 2022.",
            source=source,
        )

    events = [
        {
            "title": "Assemblée apprentissage du Conseil régional de Normandie : signature de la "
            "convention d'objectifs et de moyens",
            "kind": EventKind.INSTITUTIONAL,
            "date": datetime.date(2022, 5, 9),
            "region": normandie,
            "axis": plan_axes[3],
            "convention": normandie_com,
        },
        {
            "title": "Lancement du « club des CFA » de Nouvelle-Aquitaine",
            "kind": EventKind.CFA_MEETING,
            "date": datetime.date(2021, 1, 1),
            "date_precision": DatePrecision.YEAR,
            "region": regions["75"],
            "axis": plan_axes[2],
        },
    ]
    for spec in events:
        Event.objects.update_or_create(title=spec.pop("title"), defaults={**spec, "source": source})


def load_agefiph_release() -> Convention:
    source = _source(AGEFIPH_RELEASE)
    first = _convention(
        title="Convention de partenariat AKTO – Agefiph 2022-2024",
        partners=["Agefiph"],
        axes=AGEFIPH_AXES,
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ENDED,
        region=None,
        start_on=datetime.date(2022, 1, 1),
        end_on=datetime.date(2024, 12, 31),
        summary="Augmenter le recours à l'alternance pour l'insertion professionnelle des "
        "personnes en situation de handicap dans les branches des services. Étude des besoins "
        "des branches au démarrage, plan d'action dès 2023 (branches : professionnaliser les "
        "partenaires sociaux ; entreprises : « Parcours Travailleurs Handicapés »).",
        source=source,
    )
    axes = {a.number: a for a in first.axes.all()}
    for position, (name, unit, axis, value, qualifier) in enumerate(AGEFIPH_2022_RESULTS):
        indicator, _ = Indicator.objects.update_or_create(
            convention=first,
            name=name,
            defaults={
                "unit": unit,
                "axis": axes.get(axis) if axis is not None else None,
                "position": position,
            },
        )
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            as_of=AGEFIPH_RESULTS_AS_OF,
            source=source,
            defaults={"value": value, "qualifier": qualifier},
        )
    Event.objects.update_or_create(
        title="Séminaire handicap interbranches à destination des partenaires sociaux",
        defaults={
            "kind": EventKind.SEMINAR,
            "date": datetime.date(2024, 1, 1),
            "date_precision": DatePrecision.YEAR,
            "region": None,
            "convention": first,
            "source": source,
        },
    )

    renewal = (
        Convention.objects.filter(renews=first).first()
        or convention_renew(
            convention=first,
            title="Convention de partenariat AKTO – Agefiph 2025-2027",
            start_on=datetime.date(2025, 1, 1),
            end_on=datetime.date(2027, 12, 31),
            status=Convention.Status.ACTIVE,
            signed_on=datetime.date(2025, 6, 18),
            source=source,
        ).convention
    )
    renewal = _convention(
        title=renewal.title,
        partners=["Agefiph"],
        signatories=[HEDOU, ("Christian Ploton", "Président de l'Agefiph", "Agefiph")],
        summary="Convention triennale nationale, déclinée au niveau régional entre les directions "
        "régionales d'AKTO et les 14 délégations régionales de l'Agefiph ; suivie par un comité "
        "de pilotage national.",
        status=Convention.Status.ACTIVE,
        signed_on=datetime.date(2025, 6, 18),
    )
    for region in Region.objects.all():
        delegation = Partner.objects.filter(kind=Partner.Kind.AGEFIPH, regions=region).first()
        declination, _ = Convention.objects.update_or_create(
            parent=renewal,
            region=region,
            defaults={
                "title": f"Déclinaison régionale AKTO – Agefiph 2025-2027 : {region.name}",
                "kind": Convention.Kind.PARTNERSHIP,
                "status": Convention.Status.ACTIVE,
                "start_on": renewal.start_on,
                "end_on": renewal.end_on,
                "source": source,
            },
        )
        declination.partners.set([delegation] if delegation else [])
    return renewal


def load_all() -> None:
    load_normandie_release()
    load_agefiph_release()
