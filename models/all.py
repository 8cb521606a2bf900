"""Import every table so ``SQLModel.metadata`` is complete (migrations, tests)."""

from models.assignments.tables import AssignmentDocument, AssignmentParty, WorkAssignment
from models.audit import AuditChainHead, AuditEvent
from models.audit_trail.tables import AuditDayHead
from models.calendar.tables import CalendarDay
from models.delegation.tables import Delegation
from models.documents.digitise import DigitiseJob
from models.documents.fixity import FixityCursor, FixityProblem
from models.documents.preservation import PreservationCopy
from models.documents.search import DocumentSearch, SavedSearch
from models.documents.tables import Assignment, Document, DocumentFile, StoredFile
from models.documents.types import AgencyDocumentType, DocumentType
from models.exchange.tables import HubIdentity, HubInbound, HubOutbox
from models.idempotency.tables import IdempotentRequest
from models.notifications.tables import MailMessage, Notification
from models.org.tables import (
    Agency,
    AgencyCode,
    AgencyName,
    LoginThrottle,
    OrgUnit,
    RecoveryCode,
    TwoFactor,
    User,
    UserRole,
    UserSession,
)
from models.outgoing.tables import DraftComment, DraftRevision, Recipient, RecipientEvent, RemoteSigning
from models.processes.tables import ProcessBinding, ProcessDefinition
from models.publications.tables import StatisticsPublication
from models.push.tables import PushMessage, PushSubscription
from models.records.export import RecordExport
from models.records.tables import (
    RecordAccess,
    RecordCollection,
    RecordDisposal,
    RecordFile,
    RecordItem,
    RecordPlan,
    RecordPlanEntry,
    RecordPlanHeading,
)
from models.registers.tables import Register, RegisterCounter, RegisterEntry
from models.schedule.tables import CalendarFeed, ScheduleEvent, WorkSchedule
from models.signing.tables import SignatureCheck
from models.statistics.tables import (
    StatAgencyDay,
    StatAgencyIssuedType,
    StatAgencyMonth,
    StatAgencyMonthType,
    StatIssuedType,
    StatPersonDay,
    StatRefresh,
)
from models.tasks.tables import Task

__all__ = [
    "Agency",
    "AgencyCode",
    "AgencyDocumentType",
    "AgencyName",
    "Assignment",
    "AssignmentDocument",
    "AssignmentParty",
    "AuditChainHead",
    "CalendarFeed",
    "AuditDayHead",
    "AuditEvent",
    "CalendarDay",
    "Delegation",
    "DigitiseJob",
    "Document",
    "FixityCursor",
    "FixityProblem",
    "PreservationCopy",
    "RecordExport",
    "DocumentFile",
    "DocumentSearch",
    "DraftComment",
    "DraftRevision",
    "HubIdentity",
    "HubInbound",
    "HubOutbox",
    "IdempotentRequest",
    "DocumentType",
    "LoginThrottle",
    "MailMessage",
    "Notification",
    "OrgUnit",
    "ProcessBinding",
    "ProcessDefinition",
    "PushMessage",
    "PushSubscription",
    "Recipient",
    "RecipientEvent",
    "RecordAccess",
    "RecordCollection",
    "RecordDisposal",
    "RecordFile",
    "RecoveryCode",
    "RecordItem",
    "RecordPlan",
    "RecordPlanEntry",
    "RecordPlanHeading",
    "Register",
    "RegisterCounter",
    "RegisterEntry",
    "ScheduleEvent",
    "RemoteSigning",
    "SavedSearch",
    "SignatureCheck",
    "StatisticsPublication",
    "StatAgencyDay",
    "StatAgencyIssuedType",
    "StatAgencyMonth",
    "StatAgencyMonthType",
    "StatIssuedType",
    "StatPersonDay",
    "StatRefresh",
    "StoredFile",
    "Task",
    "TwoFactor",
    "User",
    "UserRole",
    "UserSession",
    "WorkAssignment",
    "WorkSchedule",
]
