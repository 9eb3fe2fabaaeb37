"""One way to declare a plain space-owned resource: table, scoped repository, service, router.

A resource is a ``SpaceOwnedMixin`` table plus a ``ResourceSpec`` (labels, permissions, paging
style); ``crud_router`` serves list / create / get / update / delete for it, and a service
subclass adds the resource's own rules (``validate``) where it has any.
"""

from spacegate.resources.repository import ScopedRepository
from spacegate.resources.service import ResourceService
from spacegate.resources.spec import Paging, ResourceSpec

__all__ = ["Paging", "ResourceService", "ResourceSpec", "ScopedRepository"]
