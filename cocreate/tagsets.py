"""The human-rights tag sets a new workshop starts with (DESIGN §7).

Each workshop gets its own copy (cocreate.services.tags.copy_defaults), in the organizer's
language, so an organizer can shorten, extend or reword the lists for their city without
changing anyone else's. The keys stay the same in every language and every workshop: they
let exports and later tools tell that two workshops' "Art. 25" are the same article.

Labels are at most 80 characters (the tags table's limit).
"""

from flask_babel import lazy_gettext as _l

#: The kinds of tag, in the order the settings page and snapshots list them.
TAG_KINDS = ("rights", "groups", "domains")

#: The 30 articles of the Universal Declaration of Human Rights (1948), with short titles.
#: Why: a Human Rights City frames local policy in the rights it realises, and the UDHR
#: is the one list every city, civil-society group and resident can point to (the
#: concept note marks its 75th anniversary). Short titles, because a phone shows them as
#: chips; the article number keeps them unambiguous.
RIGHTS = (
    ("udhr-1", _l("Art. 1 Free and equal in dignity and rights")),
    ("udhr-2", _l("Art. 2 Freedom from discrimination")),
    ("udhr-3", _l("Art. 3 Life, liberty and security of person")),
    ("udhr-4", _l("Art. 4 Freedom from slavery and servitude")),
    ("udhr-5", _l("Art. 5 Freedom from torture and degrading treatment")),
    ("udhr-6", _l("Art. 6 Recognition as a person before the law")),
    ("udhr-7", _l("Art. 7 Equality before the law")),
    ("udhr-8", _l("Art. 8 Effective remedy for rights violated")),
    ("udhr-9", _l("Art. 9 Freedom from arbitrary arrest, detention or exile")),
    ("udhr-10", _l("Art. 10 Fair and public hearing")),
    ("udhr-11", _l("Art. 11 Presumed innocent until proved guilty")),
    ("udhr-12", _l("Art. 12 Privacy, family, home and correspondence")),
    ("udhr-13", _l("Art. 13 Freedom of movement and residence")),
    ("udhr-14", _l("Art. 14 Asylum from persecution")),
    ("udhr-15", _l("Art. 15 A nationality")),
    ("udhr-16", _l("Art. 16 Marriage and family")),
    ("udhr-17", _l("Art. 17 Property")),
    ("udhr-18", _l("Art. 18 Freedom of thought, conscience and religion")),
    ("udhr-19", _l("Art. 19 Freedom of opinion and expression")),
    ("udhr-20", _l("Art. 20 Peaceful assembly and association")),
    ("udhr-21", _l("Art. 21 Taking part in government; equal access to public service")),
    ("udhr-22", _l("Art. 22 Social security")),
    ("udhr-23", _l("Art. 23 Work, fair pay and trade unions")),
    ("udhr-24", _l("Art. 24 Rest and leisure")),
    ("udhr-25", _l("Art. 25 Adequate standard of living")),
    ("udhr-26", _l("Art. 26 Education")),
    ("udhr-27", _l("Art. 27 Cultural life, arts and science")),
    ("udhr-28", _l("Art. 28 A social and international order where rights are realised")),
    ("udhr-29", _l("Art. 29 Duties to the community; limits only by law")),
    ("udhr-30", _l("Art. 30 No one may destroy these rights")),
)

#: Groups at risk of exclusion (DESIGN §7). Why: the plenary asks for an intersectional
#: approach (housing for migrants and refugees, work for women victims of violence...);
#: tagging who an idea concerns is what lets the synthesis's coverage matrix show whose
#: rights nobody addressed. Named as people, not as problems.
GROUPS = (
    ("women", _l("Women")),
    ("migrants-refugees", _l("Migrants and refugees")),
    ("disabilities", _l("Persons with disabilities")),
    ("older-persons", _l("Older persons")),
    ("children-youth", _l("Children and youth")),
    ("lgbtiq", _l("LGBTIQ+ people")),
    ("minorities-indigenous", _l("Ethnic minorities and Indigenous peoples")),
    ("homelessness", _l("People experiencing homelessness")),
    ("low-income", _l("Low-income households")),
)

#: Policy domains (DESIGN §7). Why: these are the areas in which a city acts (and has a
#: department to take a pathway forward); they follow the concept note's examples:
#: housing, work, digital education, mobility and accessibility.
DOMAINS = (
    ("housing", _l("Housing")),
    ("work-income", _l("Work and income")),
    ("education-digital", _l("Education and digital inclusion")),
    ("mobility-accessibility", _l("Mobility and accessibility")),
    ("health-care", _l("Health and care")),
    ("safety", _l("Safety and freedom from violence")),
    ("participation", _l("Participation")),
    ("climate-justice", _l("Climate justice")),
    ("culture", _l("Culture")),
)

#: Every default set by kind: (key, label) pairs in display order.
DEFAULTS = {"rights": RIGHTS, "groups": GROUPS, "domains": DOMAINS}
