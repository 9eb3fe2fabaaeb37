"""An S3-compatible bucket, through boto3 in a worker thread (boto3 blocks).

Errors come back as ``AppError``s a user can act on: credentials refused, a bucket or file that
is not there, an endpoint that does not answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from spacegate.errors import AppError, Unprocessable

#: boto3's page size; a listing follows continuation tokens past it.
PAGE = 1000
#: A file read for training or a scan: larger ones are refused rather than filling memory.
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Bucket:
    bucket: str
    region: str
    endpoint_url: str | None
    access_key_id: str
    secret_access_key: str


class ConnectorUnreachable(AppError):
    status_code = 503
    code = "connector_unreachable"


def _client(b: Bucket) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"},
    )
    return boto3.session.Session().client(
        "s3",
        region_name=b.region,
        endpoint_url=b.endpoint_url,
        aws_access_key_id=b.access_key_id,
        aws_secret_access_key=b.secret_access_key,
        config=config,
    )


def _translate(exc: Exception, b: Bucket, key: str | None = None) -> AppError:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchBucket",):
            return Unprocessable(
                f"The bucket '{b.bucket}' does not exist at this endpoint.",
                code="bucket_not_found",
                extra={"param": "s3.bucket"},
            )
        if code in ("NoSuchKey", "404", "NotFound"):
            return Unprocessable(
                f"The file '{key}' is not in the bucket '{b.bucket}'.",
                code="file_not_found",
                extra={"param": "files"},
            )
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403"):
            return Unprocessable(
                f"The bucket refused this connector's credentials ({code}).",
                code="connector_access_denied",
                extra={"param": "s3.access_key_id"},
            )
        return ConnectorUnreachable(f"The bucket answered with an error: {code or 'unknown'}.")
    if isinstance(exc, BotoCoreError):
        return ConnectorUnreachable(f"The bucket's endpoint could not be reached: {exc}.")
    raise exc


def _list(b: Bucket, prefix: str, limit: int) -> list[dict[str, Any]]:
    client = _client(b)
    files: list[dict[str, Any]] = []
    token: str | None = None
    while len(files) < limit:
        kw: dict[str, Any] = {"Bucket": b.bucket, "Prefix": prefix, "MaxKeys": PAGE}
        if token:
            kw["ContinuationToken"] = token
        page = client.list_objects_v2(**kw)
        for obj in page.get("Contents", []):
            files.append(
                {
                    "key": obj["Key"],
                    "size": int(obj.get("Size", 0)),
                    "last_modified": obj["LastModified"].isoformat().replace("+00:00", "Z"),
                    "etag": str(obj.get("ETag", "")).strip('"'),
                }
            )
            if len(files) >= limit:
                break
        if not page.get("IsTruncated"):
            break
        token = page.get("NextContinuationToken")
    return files


def _read(b: Bucket, key: str, max_bytes: int) -> bytes:
    client = _client(b)
    head = client.head_object(Bucket=b.bucket, Key=key)
    if int(head.get("ContentLength", 0)) > max_bytes:
        raise Unprocessable(
            f"The file '{key}' is larger than {max_bytes} bytes.",
            code="file_too_large",
            extra={"param": "files"},
        )
    body: bytes = client.get_object(Bucket=b.bucket, Key=key)["Body"].read()
    return body


async def list_files(b: Bucket, prefix: str, limit: int) -> list[dict[str, Any]]:
    try:
        return await asyncio.to_thread(_list, b, prefix, limit)
    except Exception as exc:
        raise _translate(exc, b) from None


async def read_file(b: Bucket, key: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    try:
        return await asyncio.to_thread(_read, b, key, max_bytes)
    except AppError:
        raise
    except Exception as exc:
        raise _translate(exc, b, key) from None
