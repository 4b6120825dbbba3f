"""What the RRN demo site says: fictional organisations, their plans, and page copy.

Kept apart from ``load_rrn_demo`` so the command reads as "build this" and this file
reads as "this is what is built". Every organisation and person here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoPriority:
    strategy: str  # Strategy slug (the Six Core Strategies seeded by the package)
    what: str
    lead_role: str
    timescale_months: int
    success_measure: str


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    sector: str  # Sector slug
    location: str  # a Location slug (seeded by wagtail_pledges' migrations)
    size_band: str
    admin_email: str
    admin_name: tuple[str, str]
    summary: str
    signoff: tuple[str, str]
    practices: tuple[str, ...]  # RestrictivePractice slugs
    priorities: tuple[DemoPriority, ...]
    updates: tuple[str, ...] = field(default=())

    @property
    def website(self) -> str:
        return f"https://{self.slug}.example"


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        name="Riverside Academy Trust", slug="riverside-academy-trust", sector="education",
        location="north-west", size_band="large",
        admin_email="head@riverside-academy.example", admin_name=("Priya", "Shah"),
        summary=(
            "Our six schools will replace physical intervention with planned, "
            "relationship-based support, and report every restrictive intervention to "
            "parents on the same day."
        ),
        signoff=("Mrs J. Okafor", "Chief Executive Officer"),
        practices=("physical", "environmental"),
        priorities=(
            DemoPriority("workforce", "Train every member of staff in de-escalation and "
                         "positive behaviour support.", "Director of Inclusion", 12,
                         "100% of staff trained; refresher every year"),
            DemoPriority("involvement", "Write each pupil's support plan with the pupil and "
                         "their family.", "Special Educational Needs Coordinator", 9,
                         "Every plan co-signed by the family"),
            DemoPriority("data", "Record and review every physical intervention each half "
                         "term.", "Trust Safeguarding Lead", 6,
                         "Half-termly report to governors; 40% fewer interventions"),
        ),
        updates=(
            "All six schools have finished the first round of de-escalation training: "
            "412 staff so far.",
        ),
    ),
    DemoOrganisation(
        name="Harbourview Care Homes", slug="harbourview-care-homes", sector="social-care",
        location="south-west", size_band="medium",
        admin_email="manager@harbourview.example", admin_name=("Tom", "Pascoe"),
        summary=(
            "We will stop using covert and as-required sedation to manage distress in "
            "our four dementia care homes, and understand what each resident is telling us."
        ),
        signoff=("Ms L. Trevithick", "Registered Manager"),
        practices=("chemical", "mechanical"),
        priorities=(
            DemoPriority("prevention", "Use a distress-behaviour profile for every resident "
                         "living with dementia.", "Clinical Lead", 6,
                         "Profiles in place for every resident"),
            DemoPriority("data", "Audit as-required medication monthly with our GP "
                         "practice and pharmacist.", "Deputy Manager", 12,
                         "Half as many as-required doses for distress"),
        ),
        updates=(
            "First monthly medication audit done with our pharmacist; two residents' "
            "prescriptions reviewed and reduced.",
            "Distress-behaviour profiles are now in place in all four homes.",
        ),
    ),
    DemoOrganisation(
        name="Glenmoor Secure Hospital", slug="glenmoor-secure-hospital", sector="health",
        location="scotland", size_band="large",
        admin_email="nursing@glenmoor.example", admin_name=("Ewan", "MacLeod"),
        summary=(
            "Glenmoor will end long-term segregation and cut seclusion by half, led by a "
            "patient-and-carer council that reviews our data every month."
        ),
        signoff=("Dr F. Cameron", "Medical Director"),
        practices=("environmental", "physical", "mechanical"),
        priorities=(
            DemoPriority("leadership", "Appoint a board-level lead for reducing "
                         "restrictive practice.", "Medical Director", 3,
                         "Lead appointed; quarterly board report"),
            DemoPriority("involvement", "Set up a patient-and-carer council that reviews "
                         "restraint data.", "Head of Patient Experience", 6,
                         "Council meets monthly; minutes published"),
            DemoPriority("debriefing", "Debrief the patient and staff after every "
                         "seclusion.", "Ward Managers", 6,
                         "A debrief recorded for 95% of seclusions"),
            DemoPriority("data", "Publish ward-level restraint and seclusion data every "
                         "quarter.", "Head of Quality", 12, "Quarterly reports published"),
        ),
    ),
    DemoOrganisation(
        name="Oakfield Special School", slug="oakfield-special-school", sector="education",
        location="east-midlands", size_band="small",
        admin_email="office@oakfield-school.example", admin_name=("Hannah", "Blake"),
        summary=(
            "Oakfield will remove its seclusion room and design calm spaces with our "
            "pupils, so that no child is ever kept in a room alone."
        ),
        signoff=("Mr D. Wright", "Headteacher"),
        practices=("environmental", "physical"),
        priorities=(
            DemoPriority("prevention", "Design calm spaces with pupils and close the "
                         "seclusion room.", "Deputy Headteacher", 12,
                         "Seclusion room closed; no seclusion recorded"),
            DemoPriority("workforce", "Coach teaching assistants in sensory and "
                         "communication support.", "Speech and Language Therapist", 18,
                         "Every class has a trained assistant"),
        ),
        updates=("The old seclusion room is now a sensory garden room our pupils designed.",),
    ),
    DemoOrganisation(
        name="Lanternlight Supported Living", slug="lanternlight-supported-living",
        sector="social-care", location="london", size_band="medium",
        admin_email="quality@lanternlight.example", admin_name=("Grace", "Mensah"),
        summary=(
            "We support 120 autistic adults and adults with learning disabilities in "
            "their own homes. We will review every restriction with the person it "
            "affects, and remove those that are not needed."
        ),
        signoff=("Mr K. Boateng", "Director of Operations"),
        practices=("psycho-social", "environmental"),
        priorities=(
            DemoPriority("involvement", "Review every restriction (locked doors, "
                         "limited access) with the person and their family.",
                         "Service Managers", 12, "Every restriction reviewed and justified"),
            DemoPriority("workforce", "Positive behaviour support training for all "
                         "support workers.", "Learning and Development Lead", 12,
                         "95% of support workers trained"),
            DemoPriority("debriefing", "Team reflective practice after every incident.",
                         "Team Leaders", 6, "Reflective session within 72 hours"),
        ),
    ),
    DemoOrganisation(
        name="Brynmawr Community Health Board", slug="brynmawr-community-health",
        sector="health", location="wales", size_band="very_large",
        admin_email="safeguarding@brynmawr-health.example", admin_name=("Rhys", "Evans"),
        summary=(
            "Across our mental health and learning disability services we will reduce "
            "prone restraint to zero and rapid tranquillisation by a third."
        ),
        signoff=("Ms C. Pritchard", "Executive Director of Nursing"),
        practices=("physical", "chemical"),
        priorities=(
            DemoPriority("leadership", "A reducing-restraint programme board chaired by "
                         "the Director of Nursing.", "Executive Director of Nursing", 3,
                         "Board in place; meets monthly"),
            DemoPriority("data", "Live restraint dashboards on every ward.",
                         "Head of Informatics", 9, "Dashboards used in every ward huddle"),
            DemoPriority("prevention", "Safewards interventions on all acute wards.",
                         "Ward Managers", 12, "All ten interventions in use on every ward"),
        ),
        updates=("Prone restraint is down 38% on last year across our acute wards.",),
    ),
    DemoOrganisation(
        name="St Aidan's Children's Services", slug="st-aidans-childrens-services",
        sector="social-care", location="north-east", size_band="small",
        admin_email="director@st-aidans.example", admin_name=("Chloe", "Robson"),
        summary=(
            "Our children's homes will use restraint only to prevent serious harm, and "
            "talk with every young person afterwards about what would have helped."
        ),
        signoff=("Mr P. Nolan", "Responsible Individual"),
        practices=("physical",),
        priorities=(
            DemoPriority("debriefing", "Talk with every young person after any restraint, "
                         "and act on what they say.", "Registered Managers", 6,
                         "Every debrief recorded with the young person's words"),
            DemoPriority("involvement", "Young people's forum to help write our house "
                         "rules.", "Participation Worker", 9, "Forum meets every month"),
        ),
    ),
    DemoOrganisation(
        name="Speak Up Advocacy", slug="speak-up-advocacy", sector="other",
        location="yorkshire-and-the-humber", size_band="micro",
        admin_email="hello@speakup-advocacy.example", admin_name=("Amir", "Hussain"),
        summary=(
            "As independent advocates we will help the people we support to challenge "
            "restrictive practice, and share what we learn with services in our region."
        ),
        signoff=("Ms R. Kaur", "Chair of Trustees"),
        practices=("physical", "chemical", "environmental", "other"),
        priorities=(
            DemoPriority("involvement", "Run 'know your rights' sessions on restraint "
                         "for people in hospital.", "Lead Advocate", 12,
                         "Sessions in six hospitals"),
            DemoPriority("workforce", "Train our advocates to recognise and report "
                         "restrictive practice.", "Service Coordinator", 6,
                         "Every advocate trained"),
        ),
    ),
    DemoOrganisation(
        name="Foxglove Learning Disability Service", slug="foxglove-ld-service",
        sector="health", location="east-of-england", size_band="medium",
        admin_email="lead@foxglove-ld.example", admin_name=("Sophie", "Turner"),
        summary=(
            "We will reduce the use of mechanical restraint during transfers and "
            "clinical procedures, planning each one with the person beforehand."
        ),
        signoff=("Dr N. Adeyemi", "Clinical Director"),
        practices=("mechanical", "chemical"),
        priorities=(
            DemoPriority("prevention", "Reasonable-adjustment plans before every planned "
                         "procedure or transfer.", "Acute Liaison Nurse", 12,
                         "A plan in place for every planned procedure"),
            DemoPriority("data", "Record every use of mechanical restraint and review it "
                         "monthly.", "Clinical Director", 6, "Monthly review, published"),
            DemoPriority("workforce", "Joint training with our ambulance and acute "
                         "hospital partners.", "Practice Educator", 18,
                         "Four joint sessions a year"),
        ),
    ),
    DemoOrganisation(
        name="Lough Erne Residential School", slug="lough-erne-residential-school",
        sector="education", location="northern-ireland",
        size_band="small",
        admin_email="principal@lough-erne.example", admin_name=("Niamh", "Gallagher"),
        summary=(
            "Our residential school will make restraint a last resort across school and "
            "care, with one behaviour support plan per pupil shared by both teams."
        ),
        signoff=("Mr S. Quinn", "Principal"),
        practices=("physical", "environmental"),
        priorities=(
            DemoPriority("leadership", "One joint school-and-care plan for reducing "
                         "restraint, owned by the senior team.", "Principal", 3,
                         "Plan agreed by governors"),
            DemoPriority("workforce", "Shared training for teachers and residential "
                         "care staff.", "Head of Care", 12, "Every member of staff trained"),
        ),
        updates=("Governors agreed the joint plan in March; training starts next term.",),
    ),
    DemoOrganisation(
        name="Thamesmead Youth Justice Centre", slug="thamesmead-youth-justice",
        sector="other", location="south-east", size_band="medium",
        admin_email="governor@thamesmead-yjc.example", admin_name=("Marcus", "Cole"),
        summary=(
            "We will cut the use of force with the young people in our care, starting "
            "with an end to pain-inducing techniques."
        ),
        signoff=("Ms A. Fraser", "Centre Director"),
        practices=("physical", "environmental", "psycho-social"),
        priorities=(
            DemoPriority("leadership", "End pain-inducing restraint techniques, with "
                         "director sign-off for any exception.", "Centre Director", 6,
                         "No pain-inducing techniques used"),
            DemoPriority("debriefing", "Debrief the young person and staff after every "
                         "use of force.", "Head of Residential Services", 6,
                         "A debrief recorded for every use of force"),
            DemoPriority("data", "Review body-worn camera footage and data with an "
                         "independent panel.", "Head of Safeguarding", 12,
                         "Panel meets every quarter"),
        ),
    ),
)

# The original pledge's signatories who have not moved yet (imported as the real
# site would import its spreadsheet).
LEGACY_CSV = """kind,name,email,organisation,signed_on
organisation,Janet Holmes,janet@meadowbank-care.example,Meadowbank Care Group,2014-06-18
organisation,Dev Patel,dev@kingsway-hospital.example,Kingsway Independent Hospital,2015-02-03
organisation,Ruth Ellis,ruth@hilltop-school.example,Hilltop Special School,2016-09-12
organisation,Colin Baird,colin@clydeside-care.example,Clydeside Care Homes,2017-05-22
individual,Anna Kowalski,anna.k@mail.example,,2014-07-01
individual,Ben Adeyemi,ben.adeyemi@mail.example,,2015-11-19
individual,Carys Morgan,carys.morgan@mail.example,,2018-03-08
individual,Daniel O'Brien,daniel.obrien@mail.example,,2019-01-25
"""

STEERING_GROUP = (
    # (email, first name, last name, joins now?) — one has not joined yet, so the
    # steering-group report has something to show.
    ("chair@rrn.example", "Helen", "Chair", True),
    ("trustee@rrn.example", "Imran", "Trustee", False),
)

RESOURCES = (
    (
        "Six Core Strategies: a one-page guide",
        "six-core-strategies-guide",
        "A short guide to the Six Core Strategies that most action plans are built on.",
        [
            "Leadership towards organisational change: a named senior lead, a plan, and "
            "regular review at board level.",
            "Using data to inform practice: record every restrictive intervention and "
            "look at the data with staff and the people you support.",
            "Workforce development: training in prevention and de-escalation, and "
            "supervision that asks about restraint.",
            "Use of prevention tools: individual support plans, sensory and environmental "
            "adjustments, early-warning signs.",
            "Involving people who use services and families in planning, training and review.",
            "Debriefing after every incident, with the person and the staff involved.",
        ],
    ),
    (
        "Writing a good action plan",
        "writing-a-good-action-plan",
        "What reviewers look for when they read your organisation's action plan.",
        [
            "Choose two to four priorities you can deliver in the next two years.",
            "Name who leads each one, by role, and how you will know it worked.",
            "Ask a senior leader to sign the plan off before you submit it.",
            "Tell us how it is going: post progress updates on your published plan.",
        ],
    ),
    (
        "Debriefing after an incident: a checklist",
        "debriefing-checklist",
        "A checklist for a post-incident debrief with the person and the staff involved.",
        [
            "Make sure everyone is safe and cared for first.",
            "Talk with the person: what happened, how they felt, what would have helped.",
            "Talk with the staff involved, without blame.",
            "Write down what you will change, and check back that it happened.",
        ],
    ),
)
