# pytest plugin the Forte runner loads with `-p forte_s3tests_plugin` (scripts/conformance/s3-tests.mjs).
#
# - The suite builds its endpoint from host and port only; Forte serves path-style S3 under /s3, so the
#   endpoint is replaced by $FORTE_S3_ENDPOINT once the suite has read its configuration.
# - Tests of features Forte does not have (see NOT_APPLICABLE_MARKS and NOT_APPLICABLE_SOURCE) are skipped
#   with a reason that starts with "not applicable:", so the runner lists them apart from the suite's own skips.
# - Every outcome is written, one JSON object a line, to $FORTE_S3TESTS_RESULTS, with the error's first line
#   for failures, so the runner can tally them and sort failures by kind.
import inspect
import json
import os
import re

import pytest

_results = None

# Marks by which the suite itself files tests under a feature.
NOT_APPLICABLE_MARKS = {
    "fails_on_aws": "expects Ceph RGW's own behaviour (the suite marks it as failing on AWS)",
    "appendobject": "AppendObject: an RGW extension",
    "bucket_logging": "bucket logging",
    "bucket_logging_cleanup": "bucket logging",
    "bucket_policy": "bucket policies (access is granted by IAM role policies in Forte)",
    "bucket_encryption": "server-side encryption (SSE-S3, SSE-KMS, SSE-C)",
    "encryption": "server-side encryption (SSE-S3, SSE-KMS, SSE-C)",
    "sse_s3": "server-side encryption (SSE-S3, SSE-KMS, SSE-C)",
    "lifecycle": "lifecycle rules",
    "lifecycle_expiration": "lifecycle rules",
    "lifecycle_transition": "lifecycle rules",
    "cloud_transition": "lifecycle rules",
    "cloud_restore": "lifecycle rules",
    "tagging": "object and bucket tagging",
    "object_ownership": "object ownership and ACLs",
    "object_lock": "object lock",
    "versioning": "versioning",
    "delete_marker": "versioning",
    "storage_class": "storage classes",
    "s3select": "S3 Select",
    "s3website": "static website hosting of buckets (Forte hosts sites through its hosting service)",
    "sns": "bucket notifications to SNS",
    "iam_user": "IAM users and accounts",
    "iam_account": "IAM users and accounts",
    "iam_cross_account": "IAM users and accounts",
    "auth_aws2": "Signature Version 2 (deprecated by AWS; Forte verifies SigV4 only)",
}

# Features recognised in a test's source (its body and the private helpers it calls) when the suite does not mark them.
NOT_APPLICABLE_SOURCE = [
    (re.compile(r"put_bucket_versioning|check_configure_versioning_retry|list_object_versions|versioning"), "versioning"),
    (re.compile(r"_acl\(|\bACL=|AccessControlPolicy|Grant(FullControl|Read|Write)|x-amz-acl|x-amz-grant|_acl_|public-read|authenticated-read|bucket-owner"), "ACLs"),
    (re.compile(r"ObjectLock|object_lock|Retention|LegalHold"), "object lock"),
    (re.compile(r"[Tt]agging|x-amz-tagging"), "object and bucket tagging"),
    (re.compile(r"put_bucket_policy|get_bucket_policy|bucket_policy|get_bucket_policy_status"), "bucket policies (access is granted by IAM role policies in Forte)"),
    (re.compile(r"SSECustomer|sse-customer|server-side-encryption|ServerSideEncryption|SSEKMS|kms_key"), "server-side encryption (SSE-S3, SSE-KMS, SSE-C)"),
    (re.compile(r"lifecycle|Lifecycle"), "lifecycle rules"),
    (re.compile(r"replication|Replication"), "replication"),
    (re.compile(r"bucket_logging|BucketLogging"), "bucket logging"),
    (re.compile(r"website|Website"), "static website hosting of buckets (Forte hosts sites through its hosting service)"),
    (re.compile(r"get_v2_client|get_v2_tenant_client|signature_version='s3'|AWSAccessKeyId"), "Signature Version 2 (deprecated by AWS; Forte verifies SigV4 only)"),
    (re.compile(r"get_tenant_client|get_v2_tenant_client|tenant_"), "tenants"),
    (re.compile(r"get_alt_client|get_alt_|alt_user_id|alt_display_name|alt_email|get_iam_|iam_root|get_sts_client"), "a second account or IAM users (Forte has one account and no IAM users)"),
    (re.compile(r"StorageClass=|storage_class|x-amz-storage-class"), "storage classes"),
    (re.compile(r"PublicAccessBlock|public_access_block"), "block public access settings"),
    (re.compile(r"BucketOwnershipControls|ownership_controls|ObjectOwnership"), "object ownership and ACLs"),
    (re.compile(r"AccelerateConfiguration|RequestPayment|request_payment"), "transfer acceleration and requester pays"),
    (re.compile(r"restore_object|RestoreRequest"), "storage classes"),
    (re.compile(r"append_object|x-rgw-|rgwx-|\?append"), "AppendObject: an RGW extension"),
]

# Single tests that do not apply, by name (a regular expression), with the reason.
NOT_APPLICABLE_NAMES = [
    (re.compile(r"^test_bucket_list_return_data_versioning|^test_versioning"), "versioning"),
    (re.compile(r"^test_bucket_logging|^test_put_bucket_logging"), "bucket logging"),
    (re.compile(r"torrent"), "BitTorrent downloads (GetObjectTorrent)"),
]


def _helper_sources(fn):
    """The test's body, with the bodies of the module's private helpers it calls (one level)."""
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError):
        return ""
    module = inspect.getmodule(fn)
    extra = []
    for name in set(re.findall(r"\b(_[a-zA-Z0-9_]+)\(", src)):
        helper = getattr(module, name, None)
        if callable(helper):
            try:
                extra.append(inspect.getsource(helper))
            except (OSError, TypeError):
                pass
    return src + "\n".join(extra)


def not_applicable_reason(item):
    for mark in item.iter_markers():
        if mark.name in NOT_APPLICABLE_MARKS:
            return NOT_APPLICABLE_MARKS[mark.name]
    name = getattr(item, "originalname", item.name)
    for pattern, reason in NOT_APPLICABLE_NAMES:
        if pattern.search(name):
            return reason
    fn = getattr(item, "function", None)
    src = _helper_sources(fn) if fn is not None else ""
    for pattern, reason in NOT_APPLICABLE_SOURCE:
        if pattern.search(src):
            return reason
    return None


def pytest_configure(config):
    global _results
    path = os.environ.get("FORTE_S3TESTS_RESULTS")
    if path:
        _results = open(path, "w", encoding="utf-8")
    endpoint = os.environ.get("FORTE_S3_ENDPOINT")
    if endpoint:
        import s3tests.functional as functional

        original = functional.configure

        def configure():
            original()
            functional.config.default_endpoint = endpoint

        functional.configure = configure


def pytest_unconfigure(config):
    if _results:
        _results.close()


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        reason = not_applicable_reason(item)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason="not applicable: " + reason))


def _first_error_line(report):
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr) if report.longrepr is not None else ""
    for line in text.splitlines():
        if line.startswith("E "):
            return line[1:].strip()[:400]
    return text.strip().splitlines()[-1][:400] if text.strip() else ""


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    if _results is None:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed) or (report.when == "teardown" and report.failed):
        outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        if report.when == "teardown":
            outcome = "error"
        _results.write(json.dumps({"id": report.nodeid, "when": report.when, "outcome": outcome, "message": "" if report.passed else _first_error_line(report)}) + "\n")
        _results.flush()
