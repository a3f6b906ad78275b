#!/bin/bash
# Makes the TLS test certificates of node's tests (TestKeys), as the README's make-certs block
# does but with EC keys and a validity of 100 years, so they are made once and committed: the
# dozen keytool runs took ~40 s of a test run on a busy machine. Run in this directory to
# remake them: a CA (tapetrain-ca, its truststore.p12) with two nodes it signed (tapetrain-node,
# evil.example.com), and another CA (evil-ca) with its node (evil-node). Password: change-me.
set -e
P=change-me
DAYS=36500
rm -f ./*.p12 ./*.pem ./*.csr
for ca in tapetrain evil; do
  keytool -genkeypair -alias ca -keyalg EC -dname CN=$ca-ca -ext bc:c -validity $DAYS \
    -keystore $ca-ca.p12 -storetype PKCS12 -storepass $P
  keytool -exportcert -alias ca -keystore $ca-ca.p12 -storepass $P -rfc -file $ca-ca.pem
done
keytool -importcert -noprompt -alias ca -file tapetrain-ca.pem -keystore truststore.p12 \
  -storetype PKCS12 -storepass $P
node() { # CA-prefix NAME
  keytool -genkeypair -alias node -keyalg EC -dname CN=$2 -validity $DAYS -keystore $2.p12 \
    -storetype PKCS12 -storepass $P
  keytool -certreq -alias node -keystore $2.p12 -storepass $P -file $2.csr
  keytool -gencert -alias ca -keystore $1-ca.p12 -storepass $P -infile $2.csr -outfile $2.pem \
    -rfc -validity $DAYS -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth,clientAuth
  keytool -importcert -noprompt -alias ca -file $1-ca.pem -keystore $2.p12 -storepass $P
  keytool -importcert -alias node -file $2.pem -keystore $2.p12 -storepass $P
}
node tapetrain tapetrain-node
node tapetrain evil.example.com
node evil evil-node
# Only the stores the tests read stay (the CAs' private keys are not needed again).
rm -f ./*-ca.p12 ./*.pem ./*.csr
