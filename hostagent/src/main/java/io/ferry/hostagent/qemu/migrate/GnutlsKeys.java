package io.ferry.hostagent.qemu.migrate;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Ferry writes EC keys as PKCS#8 without the optional public key; GnuTLS (QEMU's TLS library) refuses those with
 * "ASN1 parser: Element was not found". This recomputes the public point and writes it into the key.
 */
final class GnutlsKeys {
  private GnutlsKeys() {}

  static String withPublicKey(String pem) throws IOException {
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      return pem;
    }
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(Base64.getDecoder().decode(body));
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
      return pem;
    }
    ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) info.getPrivateKeyAlgorithm().getParameters();
    ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
    if (ec.getPublicKey() != null) {
      return pem;
    }
    X9ECParameters params = ECNamedCurveTable.getByOID(curve);
    BigInteger d = ec.getKey();
    byte[] q = params.getG().multiply(d).normalize().getEncoded(false);
    ECPrivateKey full = new ECPrivateKey(params.getN().bitLength(), d, new DERBitString(q), null);
    byte[] der = new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), full).getEncoded();
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }
}
