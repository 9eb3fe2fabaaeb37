"""Persona imports: an upload parses the files and finds the rows that match existing personas
(same name, folded, and same birthdate) without changing anything; its confirmation applies it,
in one transaction, resolving the matches as CRM imports do: ``overwrite`` updates the matched
persona, ``create`` inserts a new one anyway, ``skip`` keeps the existing one.

The upload token is shown once (only its hash is kept), works in its own space only, expires,
and is used once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from spacegate.copilot.persona_files import MAX_BYTES, Parsed, kind_of, parse
from spacegate.copilot.personas import PersonaService, name_key
from spacegate.errors import AppError, Conflict, NotFound, Unprocessable
from spacegate.kit.clock import utcnow
from spacegate.models import Persona, PersonaUpload
from spacegate.resources import ScopedRepository

Resolution = Literal["overwrite", "create", "skip"]
TOKEN_TTL = timedelta(hours=1)
#: Conflicts listed in the upload's answer (all are counted).
SHOWN_CONFLICTS = 100


class UploadGone(AppError):
    status_code = 410
    code = "upload_expired"


@dataclass
class UploadFile:
    filename: str
    content_type: str | None
    raw: bytes


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PersonaImports:
    def __init__(self, personas: PersonaService) -> None:
        self.personas = personas
        self.session = personas.session
        self.scope = personas.scope
        self.uploads: ScopedRepository[PersonaUpload] = ScopedRepository(
            personas.session, personas.scope, PersonaUpload
        )

    async def upload(self, files: list[UploadFile]) -> tuple[PersonaUpload, str]:
        """Parse ``files`` and keep them pending; the upload and its token (shown once)."""
        self.scope.require("personas:create")
        parsed = Parsed()
        for f in files:
            kind = kind_of(f.filename, f.content_type)
            if kind is None:
                raise Unprocessable(
                    f"'{f.filename}' is not a CSV, XLSX or JSON file.",
                    code="unsupported_file",
                    extra={"param": "files"},
                )
            if len(f.raw) > MAX_BYTES:
                raise Unprocessable(
                    f"'{f.filename}' is larger than {MAX_BYTES // (1024 * 1024)} MiB.",
                    code="file_too_large",
                    extra={"param": "files"},
                )
            parse(f.filename, kind, f.raw, parsed)
        if parsed.errors:
            first = parsed.errors[:50]
            named = "; ".join(
                f"{e.file} row {e.row}: {e.field} {e.message}"
                if e.row
                else f"{e.file}: {e.message}"
                for e in first[:5]
            )
            raise Unprocessable(
                f"{len(parsed.errors)} problem(s) in the files, nothing was imported: {named}.",
                code="invalid_persona_rows",
                extra={"param": "files", "rows": [e.wire() for e in first]},
            )
        if not parsed.rows:
            raise Unprocessable(
                "The files hold no personas.", code="no_personas", extra={"param": "files"}
            )
        matches = await self._matches(parsed.rows)
        conflicts = [
            {
                "row": r["row"],
                "file": r["file"],
                "name": r["name"],
                "birthdate": r["birthdate"],
                "persona_id": str(matches[_key(r)].id),
            }
            for r in parsed.rows
            if _key(r) in matches
        ]
        await self._forget_expired()
        token = "pu_" + secrets.token_urlsafe(32)
        upload = PersonaUpload(
            org_id=self.scope.org_id,
            space_id=self.scope.space_id,
            created_by=self.scope.principal.user_id,
            token_hash=_hash(token),
            filenames=[f.filename for f in files],
            rows=parsed.rows,
            total=len(parsed.rows),
            conflicts=conflicts,
            expires_at=utcnow() + TOKEN_TTL,
        )
        self.uploads.add(upload)
        await self.session.flush()
        return upload, token

    async def pending(self, token: str, *, lock: bool = False) -> PersonaUpload:
        """The space's pending upload of ``token``: 404 unknown (or another space's), 409 used,
        410 expired."""
        upload = await self.uploads.get_by("token_hash", _hash(token), lock=lock)
        if upload is None:
            raise NotFound(
                "No persona upload with this token in this space.", code="upload_not_found"
            )
        if upload.status != "pending":
            raise Conflict(
                "This upload was already confirmed; upload the files again to import them again.",
                code="upload_already_confirmed",
            )
        if upload.expires_at <= utcnow():
            raise UploadGone(
                "This upload token has expired; upload the files again.", code="upload_expired"
            )
        return upload

    async def confirm(self, token: str, resolution: Resolution) -> dict[str, Any]:
        self.scope.require("personas:create")
        if resolution == "overwrite":
            self.scope.require("personas:update")
        upload = await self.pending(token, lock=True)
        matches = await self._matches(upload.rows)  # as they are now, not at upload time
        conflicting = created = updated = skipped = 0
        user = self.scope.principal.user_id
        for row in upload.rows:
            found = matches.get(_key(row))
            values = {
                "name": row["name"],
                "name_key": name_key(row["name"]),
                "birthdate": date.fromisoformat(row["birthdate"]),
                "notes": row["notes"],
                "data": row["data"],
            }
            if found is not None:
                conflicting += 1
                if resolution == "skip":
                    skipped += 1
                    continue
                if resolution == "overwrite":
                    for name, value in values.items():
                        setattr(found, name, value)
                    found.updated_by = user
                    found.updated_at = utcnow()
                    updated += 1
                    continue
            persona = Persona(
                org_id=self.scope.org_id,
                space_id=self.scope.space_id,
                created_by=user,
                updated_by=user,
                **values,
            )
            self.personas.repo.add(persona)
            created += 1
        upload.status = "confirmed"
        upload.confirmed_at = utcnow()
        upload.conflict_resolution = resolution
        upload.rows = []  # imported: the copy is not kept
        await self.session.flush()
        return {
            "conflicts_resolved": conflicting,
            "total_uploaded": created + updated,
            "status": "completed",
            "message": f"{created} persona(s) created, {updated} updated, {skipped} skipped "
            f"({conflicting} conflict(s) resolved with '{resolution}').",
            "created": created,
            "updated": updated,
            "skipped": skipped,
        }

    async def _forget_expired(self) -> None:
        """Uploads never confirmed hold personal data: gone once they can no longer be used."""
        stmt = self.uploads.select(
            PersonaUpload.status == "pending", PersonaUpload.expires_at <= utcnow()
        )
        for stale in (await self.session.scalars(stmt.limit(100))).all():
            await self.uploads.delete(stale)

    async def _matches(self, rows: list[dict[str, Any]]) -> dict[tuple[str, str], Persona]:
        """Existing personas of the space by (folded name, birthdate) among ``rows``'."""
        keys = {_key(r) for r in rows}
        names = sorted({k for k, _ in keys})
        found: dict[tuple[str, str], Persona] = {}
        for start in range(0, len(names), 500):
            stmt = self.personas.repo.select(Persona.name_key.in_(names[start : start + 500]))
            for p in (await self.session.scalars(stmt.order_by(Persona.id))).all():
                key = (p.name_key, p.birthdate.isoformat())
                if key in keys:
                    found.setdefault(key, p)
        return found


def _key(row: dict[str, Any]) -> tuple[str, str]:
    return name_key(row["name"]), row["birthdate"]


def upload_answer(upload: PersonaUpload, token: str) -> dict[str, Any]:
    n = len(upload.conflicts)
    return {
        "upload_token": token,
        "total": upload.total,
        "conflict_personas": n,
        "status": "pending",
        "message": (
            f"{upload.total} persona(s) read, {n} matching existing personas (same name and "
            "birthdate). Confirm with conflict_resolution overwrite, create or skip."
        ),
        "expires_at": upload.expires_at,
        "conflicts": upload.conflicts[:SHOWN_CONFLICTS],
    }
