"""ORM tables, one module per table. Importing this package registers them all on the metadata."""

from spacegate.models.action import Action
from spacegate.models.action_group import ActionGroup
from spacegate.models.api_key import ApiKey
from spacegate.models.argument import Argument
from spacegate.models.audit_log import AuditLog
from spacegate.models.benchmark import Benchmark
from spacegate.models.chat import Chat
from spacegate.models.checkpoint import Checkpoint
from spacegate.models.cluster import Cluster
from spacegate.models.connector import Connector
from spacegate.models.copilot_settings import CopilotSettings
from spacegate.models.data_model import DataModel
from spacegate.models.dataset import Dataset
from spacegate.models.dataset_chunk import DatasetChunk
from spacegate.models.dataset_document import DatasetDocument
from spacegate.models.entitlement import Entitlement
from spacegate.models.evaluation import Evaluation
from spacegate.models.expert import Expert
from spacegate.models.idempotency_key import IdempotencyKey
from spacegate.models.inference_log import InferenceLog
from spacegate.models.invitation import Invitation
from spacegate.models.job import Job
from spacegate.models.model_target import ModelTarget
from spacegate.models.org import Org
from spacegate.models.persona import Persona
from spacegate.models.persona_upload import PersonaUpload
from spacegate.models.provider_connection import ProviderConnection
from spacegate.models.rag_endpoint import RagEndpoint
from spacegate.models.rag_policy import RagPolicy
from spacegate.models.registered_model import RegisteredModel
from spacegate.models.space import Space
from spacegate.models.space_member import SpaceMember
from spacegate.models.syft_model import SyftModel
from spacegate.models.syft_settings import SyftSettings
from spacegate.models.training import Training
from spacegate.models.usage_ledger import UsageLedgerEntry
from spacegate.models.user import User
from spacegate.models.webhook_delivery import WebhookDelivery
from spacegate.models.webhook_event import WebhookEvent
from spacegate.models.webhook_subscription import WebhookSubscription

__all__ = [
    "Action",
    "ActionGroup",
    "ApiKey",
    "Argument",
    "AuditLog",
    "Benchmark",
    "Chat",
    "Checkpoint",
    "Cluster",
    "Connector",
    "CopilotSettings",
    "DataModel",
    "Dataset",
    "DatasetChunk",
    "DatasetDocument",
    "Entitlement",
    "Evaluation",
    "Expert",
    "IdempotencyKey",
    "InferenceLog",
    "Invitation",
    "Job",
    "ModelTarget",
    "Org",
    "Persona",
    "PersonaUpload",
    "ProviderConnection",
    "RagEndpoint",
    "RagPolicy",
    "RegisteredModel",
    "Space",
    "SpaceMember",
    "SyftModel",
    "SyftSettings",
    "Training",
    "UsageLedgerEntry",
    "User",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
