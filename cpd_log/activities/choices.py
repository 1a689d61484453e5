"""The closed vocabularies of an activity's choice fields: kind, delivery, status and where it
came from. Plain Python, like the field table (fields.py) that names them; the ORM model stores
their values (models/activity.py)."""

from enum import StrEnum


class ActivityKind(StrEnum):
    COURSE = "course"
    COMMUNITY_EVENT = "community_event"
    CONFERENCE = "conference"
    WEBINAR = "webinar"
    READING = "reading"
    PODCAST = "podcast"
    MENTORING_RECEIVED = "mentoring_received"
    MENTORING_GIVEN = "mentoring_given"
    VOLUNTEERING = "volunteering"
    ON_THE_JOB = "on_the_job"
    EXAM = "exam"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ActivityKind.COURSE: "Course",
    ActivityKind.COMMUNITY_EVENT: "Community event (e.g. PMO Flashmob)",
    ActivityKind.CONFERENCE: "Conference",
    ActivityKind.WEBINAR: "Webinar",
    ActivityKind.READING: "Reading",
    ActivityKind.PODCAST: "Podcast",
    ActivityKind.MENTORING_RECEIVED: "Mentoring or coaching received",
    ActivityKind.MENTORING_GIVEN: "Mentoring or coaching given",
    ActivityKind.VOLUNTEERING: "Volunteering",
    ActivityKind.ON_THE_JOB: "On-the-job learning",
    ActivityKind.EXAM: "Exam",
    ActivityKind.OTHER: "Other",
}


class Delivery(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    SELF_PACED = "self_paced"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "online": "Online", "self_paced": "Self-paced"}[self]


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActivitySource(StrEnum):
    MANUAL = "manual"
    CSV = "csv"
    ICS = "ics"
    BADGE = "badge"
    API = "api"
    XAPI = "xapi"  # an xAPI statement (imports/xapi.py); external_uid is the statement id
