"""Generated certificates: signed by the CA, the right names, the admin in system:masters."""
from __future__ import annotations

import ipaddress
import os
import stat

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pytest_kustomize.cluster.certs import write_cluster_certs


def _load(path):
    return x509.load_pem_x509_certificate(open(path, "rb").read())


def test_certificates(tmp_path):
    certs = write_cluster_certs(str(tmp_path))
    ca, server, admin = _load(certs.ca_cert), _load(certs.server_cert), _load(certs.admin_cert)
    server.verify_directly_issued_by(ca)
    admin.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert "kubernetes.default.svc" in sans.get_values_for_type(x509.DNSName)
    assert ExtendedKeyUsageOID.SERVER_AUTH in server.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    assert admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == \
        "system:masters"
    assert ExtendedKeyUsageOID.CLIENT_AUTH in admin.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    for path in (certs.server_key, certs.admin_key, certs.sa_key):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
