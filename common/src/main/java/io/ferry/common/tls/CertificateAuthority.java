package io.ferry.common.tls;

import io.ferry.common.FerryException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster certificate authority: creates the CA and issues node certificates (server + client use) with
 * host names and IP addresses as subject alternative names. Keys are EC P-256, written as PKCS#8 PEM.
 */
public final class CertificateAuthority {
  public static final String CA_KEY = "ca.key";

  private static final SecureRandom RANDOM = new SecureRandom();
  private final X509Certificate caCert;
  private final PrivateKey caKey;

  private CertificateAuthority(X509Certificate caCert, PrivateKey caKey) {
    this.caCert = caCert;
    this.caKey = caKey;
  }

  /** A new CA named after the cluster. */
  public static CertificateAuthority create(String clusterName, Duration validity) {
    try {
      KeyPair kp = newKeyPair();
      X500Name name = new X500Name("CN=Ferry CA " + clusterName + ",O=Ferry");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, kp.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      X509Certificate cert = sign(b.build(signer(kp.getPrivate())));
      return new CertificateAuthority(cert, kp.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create CA", e);
    }
  }

  /** Loads {@code ca.crt} and {@code ca.key} from a directory made by {@link #writeCa}. */
  public static CertificateAuthority load(Path dir) {
    Path crt = dir.resolve(TlsMaterial.CA_CERT);
    Path key = dir.resolve(CA_KEY);
    try (PEMParser certParser = new PEMParser(Files.newBufferedReader(crt));
         PEMParser keyParser = new PEMParser(Files.newBufferedReader(key))) {
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate((X509CertificateHolder) certParser.readObject());
      Object k = keyParser.readObject();
      PrivateKey pk = k instanceof PEMKeyPair pair
          ? new JcaPEMKeyConverter().getKeyPair(pair).getPrivate()
          : new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) k);
      return new CertificateAuthority(cert, pk);
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new FerryException("cannot load the CA from " + crt + " and " + key + ": " + e.getMessage(), e);
    }
  }

  public X509Certificate certificate() {
    return caCert;
  }

  /** Writes {@code ca.crt} and {@code ca.key} (mode 600). */
  public void writeCa(Path dir) {
    write(dir.resolve(TlsMaterial.CA_CERT), pem(caCert), false);
    write(dir.resolve(CA_KEY), pkcs8(caKey), true);
  }

  /**
   * Issues a certificate for one node, valid as TLS server and client, and writes {@code <base>.crt},
   * {@code <base>.key} and a copy of the CA certificate into {@code dir}.
   */
  public void issue(String commonName, Collection<String> sans, Duration validity, Path dir, String base) {
    try {
      KeyPair kp = newKeyPair();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)),
          new X500Name("CN=" + commonName + ",O=Ferry"), kp.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      b.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
      X509Certificate cert = sign(b.build(signer(caKey)));
      Files.createDirectories(dir);
      write(dir.resolve(base + ".crt"), pem(cert), false);
      write(dir.resolve(base + ".key"), pkcs8(kp.getPrivate()), true);
      if (!Files.exists(dir.resolve(TlsMaterial.CA_CERT))) {
        write(dir.resolve(TlsMaterial.CA_CERT), pem(caCert), false);
      }
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue certificate for " + commonName, e);
    }
  }

  private static GeneralNames generalNames(Collection<String> sans) {
    List<GeneralName> names = new ArrayList<>();
    for (String san : sans) {
      names.add(isIpLiteral(san) ? new GeneralName(GeneralName.iPAddress, san)
          : new GeneralName(GeneralName.dNSName, san));
    }
    return new GeneralNames(names.toArray(new GeneralName[0]));
  }

  private static boolean isIpLiteral(String s) {
    if (!s.matches("[0-9.]+") && !s.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  private static X509Certificate sign(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static BigInteger serial() {
    return new BigInteger(96, RANDOM);
  }

  private static String pem(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return sw.toString();
  }

  private static String pkcs8(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path p, String text, boolean secret) {
    try {
      Files.writeString(p, text);
      if (secret) {
        try {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system: nothing more we can do
        }
      }
    } catch (IOException e) {
      throw new FerryException("cannot write " + p + ": " + e.getMessage(), e);
    }
  }
}
