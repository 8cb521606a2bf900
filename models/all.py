"""Import every table so ``SQLModel.metadata`` is complete (migrations, tests)."""

from models.audit import AuditEvent
from models.definitions import ProcessDefinition
from models.digitise import DigitiseJob
from models.doc_types import DocumentType
from models.documents import Assignment, Document, DocumentFile, StoredFile
from models.exchange import HubInbound, HubOutbox
from models.mail import MailMessage
from models.notifications import Notification
from models.org import Agency, AgencyCode, OrgUnit, User, UserRole, UserSession
from models.outgoing import DraftComment, DraftRevision, Recipient, RecipientEvent, RemoteSigning
from models.records import CalendarDay, RecordFile, RecordItem
from models.registers import Register, RegisterCounter, RegisterEntry
from models.search import DocumentSearch, SavedSearch
from models.signatures import SignatureCheck
from models.tasks import Task

__all__ = [
    "Agency",
    "AgencyCode",
    "Assignment",
    "AuditEvent",
    "CalendarDay",
    "DigitiseJob",
    "Document",
    "DocumentFile",
    "DocumentSearch",
    "DraftComment",
    "DraftRevision",
    "HubInbound",
    "HubOutbox",
    "DocumentType",
    "MailMessage",
    "Notification",
    "OrgUnit",
    "ProcessDefinition",
    "Recipient",
    "RecipientEvent",
    "RecordFile",
    "RecordItem",
    "Register",
    "RegisterCounter",
    "RegisterEntry",
    "RemoteSigning",
    "SavedSearch",
    "SignatureCheck",
    "StoredFile",
    "Task",
    "User",
    "UserRole",
    "UserSession",
]
