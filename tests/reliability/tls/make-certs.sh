#!/usr/bin/env bash
# Certificates for the TLS matrix, made fresh for every run in DIR (the only argument):
#   ca.pem             CA "gs-tls-ca"; server-cert.pem/server-key.pem for IP:127.0.0.1 and DNS:localhost;
#                      cert.pem/key.pem, a client certificate (clientAuth)
#   wrong-server-*.pem a server certificate of the same CA for DNS:gs-tls-wrong.example only
#   other-ca.pem       a second CA "gs-tls-other-ca"; other-cert.pem/other-key.pem, a client certificate of it
#   stray-key.pem      a key that belongs to no certificate (for the key/cert mismatch case)
#   DIR itself holds ca.pem, cert.pem and key.pem: a DOCKER_CERT_PATH; env-other-ca/ is one whose
#   ca.pem is the other CA (with the good client certificate)
# EC P-256 keys: quick to make on a loaded machine. Valid one day: nothing outlives the run.
set -euo pipefail
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() {  # ca NAME CN
  key "$1-key.pem"
  openssl req -x509 -new -key "$1-key.pem" -subj "/CN=$2" -days 1 -sha256 -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() {  # leaf CA OUT-PREFIX CN EXTENSIONS...
  local ca=$1 out=$2 cn=$3; shift 3
  key "$out-key.pem"
  openssl req -new -key "$out-key.pem" -subj "/CN=$cn" -out "$out.csr" 2>/dev/null
  printf '%s\n' "$@" > "$out.ext"
  openssl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca-key.pem" -CAcreateserial -days 1 -sha256 \
    -extfile "$out.ext" -out "$out-cert.pem" 2>/dev/null
  rm -f "$out.csr" "$out.ext"
}
ca ca gs-tls-ca
ca other-ca gs-tls-other-ca
leaf ca server 127.0.0.1 "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth"
leaf ca wrong-server gs-tls-wrong.example "subjectAltName=DNS:gs-tls-wrong.example" "extendedKeyUsage=serverAuth"
leaf ca client gs-tls-client "extendedKeyUsage=clientAuth"
leaf other-ca other-client gs-tls-other-client "extendedKeyUsage=clientAuth"
mv client-cert.pem cert.pem; mv client-key.pem key.pem
mv other-client-cert.pem other-cert.pem; mv other-client-key.pem other-key.pem
key stray-key.pem
mkdir -p env-other-ca
cp other-ca.pem env-other-ca/ca.pem; cp cert.pem key.pem env-other-ca/
rm -f ./*.srl
chmod 0600 ./*key.pem env-other-ca/key.pem
