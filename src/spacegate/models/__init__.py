"""ORM tables, one module per table. Importing this package registers them all on the metadata."""

from spacegate.models.api_key import ApiKey
from spacegate.models.audit_log import AuditLog
from spacegate.models.idempotency_key import IdempotencyKey
from spacegate.models.invitation import Invitation
from spacegate.models.org import Org
from spacegate.models.space import Space
from spacegate.models.space_member import SpaceMember
from spacegate.models.user import User

__all__ = [
    "ApiKey",
    "AuditLog",
    "IdempotencyKey",
    "Invitation",
    "Org",
    "Space",
    "SpaceMember",
    "User",
]
