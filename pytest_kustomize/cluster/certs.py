"""Certificates for a throw-away API server: a CA, the server's serving certificate, an admin
client certificate (group ``system:masters``) and the service-account signing key.

What controller-runtime's envtest generates, made with ``cryptography``.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: names the serving certificate is valid for (what in-cluster clients and kubectl use)
SERVER_DNS_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local")


@dataclass(frozen=True)
class Pem:
    cert: bytes
    key: bytes


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days)))


class CertificateAuthority:
    """A self-signed CA that issues the server and client certificates."""

    def __init__(self, common_name: str = "pytest-kustomize-ca", days: int = 7):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.subject = _name(common_name)
        self.days = days
        self.cert = (_builder(self.subject, self.subject, self.key.public_key(), days)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                     .add_extension(x509.KeyUsage(
                         digital_signature=True, key_cert_sign=True, crl_sign=True,
                         content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, encipher_only=False,
                         decipher_only=False), True)
                     .sign(self.key, hashes.SHA256()))

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, *, organization: str | None = None,
              dns_names=(), ip_addresses=(), server: bool = False) -> Pem:
        key = ec.generate_private_key(ec.SECP256R1())
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        b = (_builder(_name(common_name, organization), self.subject, key.public_key(),
                      self.days)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
             .add_extension(x509.KeyUsage(
                 digital_signature=True, key_encipherment=True, key_cert_sign=False,
                 crl_sign=False, content_commitment=False, data_encipherment=False,
                 key_agreement=False, encipher_only=False, decipher_only=False), True)
             .add_extension(x509.ExtendedKeyUsage([usage]), False))
        sans = [x509.DNSName(n) for n in dns_names] + \
            [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), False)
        cert = b.sign(self.key, hashes.SHA256())
        return Pem(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


@dataclass(frozen=True)
class ClusterCerts:
    """Paths of the PEM files one local API server needs (all in one directory)."""
    ca_cert: str
    server_cert: str
    server_key: str
    admin_cert: str
    admin_key: str
    sa_key: str          # service-account signing key (private)
    sa_pub: str          # its public half, for verifying tokens


def write_cluster_certs(directory: str, *, host: str = "127.0.0.1") -> ClusterCerts:
    """Generate every certificate and key of a local API server into ``directory``."""
    os.makedirs(directory, exist_ok=True)
    ca = CertificateAuthority()
    server = ca.issue("kube-apiserver", dns_names=SERVER_DNS_NAMES,
                      ip_addresses=sorted({host, "127.0.0.1", "10.0.0.1"}), server=True)
    admin = ca.issue("pytest-kustomize-admin", organization="system:masters")
    sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {
        "ca_cert": ("ca.crt", ca.pem),
        "server_cert": ("apiserver.crt", server.cert),
        "server_key": ("apiserver.key", server.key),
        "admin_cert": ("admin.crt", admin.cert),
        "admin_key": ("admin.key", admin.key),
        "sa_key": ("sa.key", _key_pem(sa)),
        "sa_pub": ("sa.pub", sa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
    }
    paths = {}
    for field, (name, data) in files.items():
        p = os.path.join(directory, name)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        paths[field] = p
    return ClusterCerts(**paths)
