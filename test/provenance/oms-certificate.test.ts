/**
 * Certificate-method OMS bundles written by the Python `model_signing` tool: the public test
 * vectors `scripts/tests/v1.1.0-certificate/model.sig` and `scripts/tests/v0.2.0-certificate/model.sig`
 * of sigstore/model-transparency (chain, payloads and signatures transcribed below) verified
 * against the vectors' root `scripts/tests/keys/certificate/ca-cert.pem`. The v0.2.0 bundle
 * carries the deprecated `Digests/v0.1` predicate and the tool's old repr()-based PAE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenanceError, parseCertificates, verifyModel } from '../../src/provenance/index.js';

const CHAIN = [
  'MIIDDDCCAXSgAwIBAgIUblNG5LBtNM+Xg4avMF8lrv8LZ1UwDQYJKoZIhvcNAQELBQAwGjEYMBYGA1UEAxMPaW50ZXJtZWRpYXRlLWNhMB4XDTI1MDUwMjIzMzYyOFoXDTM1MDQzMDIzMzYyOFowGjEYMBYGA1UEAxMPaW50ZXJtZWRpYXRlLWNhMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsu6rZGBTjxtvRWPMixT+3HyndV0J0YbtaHZUcO4DEK+OJHO/4e32bb/fbJKSpRgcBsIpKLcVijUomyFOERbd7u+BTPSUjGZDQq6J7lTvp/EAXQGOKxW9RP0MGX3qAkvio3gwdjAPBgNVHRMBAf8EBTADAQH/MBMGA1UdJQQMMAoGCCsGAQUFBwMDMA4GA1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQUGV7tAU7upBa+IVpuvDtUidPhKs8wHwYDVR0jBBgwFoAU8Y+MvYW26MAbiuYGhdsWnumU0zIwDQYJKoZIhvcNAQELBQADggGBAGXV0hCrcexX7mtcyP85ACBNSUVH7lNcUenan4DJevw4KbK22c/taf+VG/QLZ7/08AbsoHfhlpBSgTidg/62e6Cu8PISDFT67Kw1AnOCBynKYabWopCvNey++yu7sXg6IDHMb5ePKPFLOY4WhI5febcFeTxBKjMo/Il1gTzVwVK45QoWliTIqxBlFS2DUe4NODNwysLpFr6oeQsP2oRMow1BG1UbCzmn+NGCKOXpQOCdFd0epASoMxZrk8ZEtLPRctcMeb7prfVX6QK5YFZMNMCU0FFci/f8RT11VFdfj8nNXi/6t/aOSZo45Q4TVMi2FijA/jAnykGiNgn1IaCNSQ5Z5xXSwCJp8KjsqVZgv6yjPO62Oj2pR1OxdhYE06YqwwD3dVkQ/+6O/ygqeWACqHXBnMVnPawhxbzBkovWg3lMfbShq9IktAGa7LM0tBvSs3R02zGFD6OaD93hJXEIRJf97/NWpCl7FXspLyfpJVnAtBd1g6DOyBHVkaNxoSWzAw==',
  'MIIEHTCCAoWgAwIBAgIUSd+dJ4nS63JskKys4/XmTtBri4UwDQYJKoZIhvcNAQELBQAwEjEQMA4GA1UEAxMHcm9vdC1jYTAeFw0yNTA1MDIyMzM2MjhaFw0zNTA0MzAyMzM2MjhaMBoxGDAWBgNVBAMTD2ludGVybWVkaWF0ZS1jYTCCAaIwDQYJKoZIhvcNAQEBBQADggGPADCCAYoCggGBAK7LNuadUjxuZH0rAim9ev3TvR4uSix9mKtHHqwzz3zPXuQXzwJ5Wy7GfXNds+aVD4Bwv5NQQHWdTAlZT+7K0CiMIPozRDTVWQKYZZwyCM4km6eZKDHxzLkm3fLDd56a1ISV4+ERZsS+DWV3Y9ukZPx9doa1XGLd3oq8o4/TwmNAL+rM0npxgegEYYX2DGnqHYiFkS+FdjKIRycFh+dyR6qW5IZ5FW4FMt4WynrMp7jWaiLnphyRs+6Xs+zTo3c+dLS82qlLCBkrI1AREx87y4nAnFMPtVi9+2f76YZ9ABykovUY6ddFKCFplD4lkvc+klhFi6DSq3sDZb06gTDV/cl9p2hc8jCF9SYVPhkRSHSBO/XhojOjQ4ZuNFCyCfaz1KPqK8/hK0OvMh43ZNcyiKy4GYaLQsRl2diOS8O04Ak0+twoKfo7fw5hTYuQ8sc3/8B54W3aOael/730Jko8YeQfl1E2Y10Iyhf6ZbBDwWjs9JcOAXZVMTw+1RCW8mwSfwIDAQABo2MwYTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwICBDAdBgNVHQ4EFgQU8Y+MvYW26MAbiuYGhdsWnumU0zIwHwYDVR0jBBgwFoAUEELDx1e2M0ueamhpxKFPLWXvjaUwDQYJKoZIhvcNAQELBQADggGBAIUEX+jqSQu1gu6OUWegIBt3g//DkazkR76tQKf+BYb9QixNbHA9DvmK9r76tfedq4fFnVKeFbhAqWy+waIDVLZsKWiOj3cIeOon/oZCK3hGtK4q36h0yMsy6AQkfNXjIAFgGhIGEQcDq0kgDmdHutHPxjPu77DmMdT0DIczJYKQJpfrs8Al0xiDmdVEsmbRnd9RyI+bcPc9bfkRkOuRIAwt6IIWgA1gEFSTtRaTxjXfRIdmz2A0MTpYLNTEvPdsDdxzhTVZelNI582rhWc/MaXcX5xULbsGJyWobtXcBZfb/9IJi9MBtWWp/t5+/PCuIWVHgG8MtnI0EdBXIiTcLH/XJMrRGrvjZW20nyD2nZl5L+qeDGkpSfGJ6dBVaDuVliSAj0emondZobXI/ypntpxqtWquZCkbBMQ69dUWE3vIh1aQpleSrAvbukZBzvk5FXfVF2T6/TY7HQjUcuURpoAnMtwM8FwrBixFhKGlRpFJjdIVUerT1RrZkvHO5qlgHg==',
];
const V110_CERT_PAYLOAD =
  'ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAidjEuMS4wLWNlcnRpZmljYXRlIiwKICAgICAgImRpZ2VzdCI6IHsKICAgICAgICAic2hhMjU2IjogIjYxZDQ4NDlkOWQ5MDA3NmQ2MjE1ZjRkNTI1ZjEzZDY1NzRhZjhlM2Y2N2FlZjNlNmYzNmZjNDBhMTRmZGQyMjYiCiAgICAgIH0KICAgIH0KICBdLAogICJwcmVkaWNhdGVUeXBlIjogImh0dHBzOi8vbW9kZWxfc2lnbmluZy9zaWduYXR1cmUvdjEuMCIsCiAgInByZWRpY2F0ZSI6IHsKICAgICJzZXJpYWxpemF0aW9uIjogewogICAgICAiaGFzaF90eXBlIjogInNoYTI1NiIsCiAgICAgICJpZ25vcmVfcGF0aHMiOiBbCiAgICAgICAgImlnbm9yZS1tZSIsCiAgICAgICAgIi5naXRhdHRyaWJ1dGVzIiwKICAgICAgICAibW9kZWwuc2lnIiwKICAgICAgICAiLmdpdGh1YiIsCiAgICAgICAgIi5naXRpZ25vcmUiLAogICAgICAgICIuZ2l0IgogICAgICBdLAogICAgICAiYWxsb3dfc3ltbGlua3MiOiBmYWxzZSwKICAgICAgIm1ldGhvZCI6ICJmaWxlcyIKICAgIH0sCiAgICAicmVzb3VyY2VzIjogWwogICAgICB7CiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiLAogICAgICAgICJuYW1lIjogInNpZ25tZS0xIiwKICAgICAgICAiZGlnZXN0IjogImY2MzEwMDY2YzczMjA0OTdlYTU1NDI2MGMzMmM0MzY2MGJmZjY0OGNiMmE2MTE5NDgzMmNjMDg2MDc3MDg1ZTEiCiAgICAgIH0sCiAgICAgIHsKICAgICAgICAiYWxnb3JpdGhtIjogInNoYTI1NiIsCiAgICAgICAgIm5hbWUiOiAic2lnbm1lLTIiLAogICAgICAgICJkaWdlc3QiOiAiMzJkY2IxZjhlMWFlNTJkNTk2M2U1NmE2YmEwNmFiNThiNDI0YzE1ZWQyYTZiNzBkMmZlY2ExZDA4OTM3MDAyOCIKICAgICAgfQogICAgXQogIH0KfQ==';
const V110_CERT_SIG =
  'MGYCMQDgK8J5pgonUXv6XN5eRVCdCSNAOiTw/vt4Wbts/PJTPEb4pFD/3eVoX+zXoqUjyc8CMQD/0OdFSr/2kHile4v7Tw/eeKXbnWjD6MB7/nu5DcB74MNeJf9dhmN16omZKCZOdqg=';
const V020_CERT_PAYLOAD =
  'ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAic2lnbm1lLTEiLAogICAgICAiZGlnZXN0IjogewogICAgICAgICJzaGEyNTYiOiAiZjYzMTAwNjZjNzMyMDQ5N2VhNTU0MjYwYzMyYzQzNjYwYmZmNjQ4Y2IyYTYxMTk0ODMyY2MwODYwNzcwODVlMSIKICAgICAgfSwKICAgICAgImFubm90YXRpb25zIjogewogICAgICAgICJhY3R1YWxfaGFzaF9hbGdvcml0aG0iOiAiZmlsZS1zaGEyNTYiCiAgICAgIH0KICAgIH0sCiAgICB7CiAgICAgICJuYW1lIjogInNpZ25tZS0yIiwKICAgICAgImRpZ2VzdCI6IHsKICAgICAgICAic2hhMjU2IjogIjMyZGNiMWY4ZTFhZTUyZDU5NjNlNTZhNmJhMDZhYjU4YjQyNGMxNWVkMmE2YjcwZDJmZWNhMWQwODkzNzAwMjgiCiAgICAgIH0sCiAgICAgICJhbm5vdGF0aW9ucyI6IHsKICAgICAgICAiYWN0dWFsX2hhc2hfYWxnb3JpdGhtIjogImZpbGUtc2hhMjU2IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvRGlnZXN0cy92MC4xIiwKICAicHJlZGljYXRlIjogewogICAgInVudXNlZCI6ICJVbnVzZWQsIGp1c3QgcGFzc2VkIGR1ZSB0byBBUEkgcmVxdWlyZW1lbnRzIgogIH0KfQ==';
const V020_CERT_SIG =
  'MGUCMAysRHq/oMKQP5fwv6BIlHxKEK0kP3x2faOgaataFofFBDoO3Kq+3qMc2qEDcZTQAgIxAN2X9IrwZ7NzrffHMHJyTc2lLaaQI34p1IvnE+VSp2aYIkZlx5rPZWe1fvSd79EIig==';
const ROOT_CA = `-----BEGIN CERTIFICATE-----
MIID9DCCAlygAwIBAgIUMqXRfD5TlsabbQzC0slV583dfHowDQYJKoZIhvcNAQEL
BQAwEjEQMA4GA1UEAxMHcm9vdC1jYTAeFw0yNTA1MDIyMzM2MjhaFw0zNTA0MzAy
MzM2MjhaMBIxEDAOBgNVBAMTB3Jvb3QtY2EwggGiMA0GCSqGSIb3DQEBAQUAA4IB
jwAwggGKAoIBgQC/xiBPWRmrpY4j9XZCaED6T6/uObidGuCGAsjAEusms7M7qvTP
pStAW7IfZlx+50fUwbiSuBbZRhvX8rBjh9ta9zKioK0pFydrNWOeWXBG0EDiRYiz
lf7kH28H3Fp9M0wE1oNSCwb90yB6YIUnTUMuylgJtsvWe/dZMDu4mPgyTUk9ufyE
phTwLPew73USo6RPDn7IJdoEhh5/zlCGv5BewAzXfUN+OLk5tfZGU4CHcNHE98/N
DHTdGAtXJ50OZz9GcIa/kMTlzI3xOVylD5p//wXowbHcGKjwlVvIEmen5Hz30pxA
TkMYxg2QRmH/AX2vKktTp4NDdvstNA16e4UwHPaQDnE5pINXLnixsLMMTZcbnSzY
hMCVDFXSbhv5dzZ671iopWaNQQloNephR71+PtGpGomcwJ0/UNjxoHu+iFOdXx6q
poYUj/IGZNZ5S7OEr5SrHzCutckLIIdSjZSQDxS7nqXjRJY0P2kY2zcLDGBzq/It
5NjO/ZC62d1KWVMCAwEAAaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAgQwHQYDVR0OBBYEFBBCw8dXtjNLnmpoacShTy1l742lMA0GCSqGSIb3DQEB
CwUAA4IBgQAcFEsJPeo7UhTcbX2cHVssGj3MUmcVZ6Ta+ysiYpz2q3sVtdeeK51D
nD2g8hzP53rmd6+XOgqcjPkFJR2387sDdwptfVQincoSo6KFa7CZ76w8zJfBGNBp
/rb2wygAM7/HRG6TfgD/wrgqfUBZ+VgNIzAbpSRvqRYrSeEfh1oJpeZA0OOgpldX
CGCGJbNWQIhX/J608mg2g2CiVO5ALT0d2VMjffymAL7rXx71UoZaOXlGbkB7Ykg7
Y1DgLBNGJ7IOpHMYCHggx3haKXs3Hk9bMGLJI5YRVi8b4lyksdOwvxLKqHLBIRbg
FQOYTT34nUwWv8uvA7X1tlSVVUtLMG+couscKcorQI6nuY44KqkwwK0v+fSmHyh7
UZOSTNdeWSMdMCJi+HLbbFcanW8WyHQ9qACmq2YIjMs6QH+xrKQkn7ARbpnrZnhq
F11pOL1EvJG/qooceoDcJDm4I1HNwd4UYmWOIJ+oaGBw3r8OA2mPKQ7r8yVE+SuX
fLFGLv//rKc=
-----END CERTIFICATE-----
`;

function bundle(payload: string, sig: string): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      x509CertificateChain: { certificates: CHAIN.map((rawBytes) => ({ rawBytes })) },
      tlogEntries: [],
    },
    dsseEnvelope: {
      payload,
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig, keyid: null }],
    },
  });
}

test('verifies the Python certificate-method vectors (v1.1.0, and v0.2.0 with the legacy predicate)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'customs-cert-'));
  try {
    const trusted = parseCertificates(ROOT_CA);
    for (const [name, payload, sig] of [
      ['v1.1.0-certificate', V110_CERT_PAYLOAD, V110_CERT_SIG],
      ['v0.2.0-certificate', V020_CERT_PAYLOAD, V020_CERT_SIG],
    ] as const) {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'signme-1'), 'signme-1');
      writeFileSync(join(dir, 'signme-2'), 'signme-2');
      writeFileSync(join(dir, 'ignore-me'), '');
      writeFileSync(join(dir, 'model.sig'), bundle(payload, sig));
      const v = await verifyModel({
        modelPath: dir,
        bundle: join(dir, 'model.sig'),
        trustedCertificates: trusted,
        ignorePaths: ['ignore-me'],
      });
      assert.equal(v.ok, true, `${name}: ${JSON.stringify(v.error ?? v.failures)}`);
      assert.equal(v.method, 'certificate');
      assert.equal(v.certificateSubject, 'CN=intermediate-ca');
      assert.equal(v.legacyPredicate, name.startsWith('v0.2'));
      // A flipped signature byte fails (the legacy fallback does not rescue a forgery).
      const s = Buffer.from(sig, 'base64');
      s[12] = (s[12] ?? 0) ^ 1;
      writeFileSync(join(dir, 'model.sig'), bundle(payload, s.toString('base64')));
      const bad = await verifyModel({
        modelPath: dir,
        bundle: join(dir, 'model.sig'),
        trustedCertificates: trusted,
        ignorePaths: ['ignore-me'],
      });
      assert.equal(bad.ok, false);
      assert.equal(bad.error?.code, 'BAD_SIGNATURE');
    }
    // Without trust anchors the certificate method cannot be verified.
    await assert.rejects(
      verifyModel({
        modelPath: join(root, 'v1.1.0-certificate'),
        bundle: join(root, 'v1.1.0-certificate', 'model.sig'),
        trustedCertificates: [],
      }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_INPUT',
    );
    // A chain cut off from the root (only the leaf, anchor = root) does not verify.
    const leafOnly = JSON.parse(bundle(V110_CERT_PAYLOAD, V110_CERT_SIG)) as {
      verificationMaterial: { x509CertificateChain: { certificates: unknown[] } };
    };
    leafOnly.verificationMaterial.x509CertificateChain.certificates =
      leafOnly.verificationMaterial.x509CertificateChain.certificates.slice(0, 1);
    writeFileSync(join(root, 'leaf-only.sig'), JSON.stringify(leafOnly));
    const cut = await verifyModel({
      modelPath: join(root, 'v1.1.0-certificate'),
      bundle: join(root, 'leaf-only.sig'),
      trustedCertificates: trusted,
      ignorePaths: ['ignore-me', 'model.sig'],
    });
    assert.equal(cut.ok, false);
    assert.equal(cut.error?.code, 'UNTRUSTED_CERTIFICATE');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
