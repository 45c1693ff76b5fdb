/*
 * kdfcap.h: the key-derivation work a keystore file may ask for (kdfcap.c).
 */
#ifndef HWC_KDFCAP_H
#define HWC_KDFCAP_H

#include <stdint.h>

#include <openssl/types.h>

/*
 * The key-derivation work one keystore file may ask for (kdfcap.c), read
 * from its parameters before any KDF runs, since the password is checked
 * only after it: each PBKDF2, PKCS#12-KDF, PBES1 or JCEKS run at most
 * HWC_KDF_MAX_ITER iterations (openssl writes 2048, keytool 10000, the most
 * demanding tools 600000), scrypt at most N*r*p = HWC_KDF_MAX_SCRYPT
 * (openssl -scrypt: 131072), all runs of a file HWC_KDF_MAX_TOTAL. More is
 * HWC_R_TOO_LARGE, naming the cap.
 */
#define HWC_KDF_MAX_ITER 1000000
#define HWC_KDF_MAX_TOTAL 4000000
#define HWC_KDF_MAX_SCRYPT (1L << 22)
typedef struct hwc_kdf_budget {
    long left; /* start at HWC_KDF_MAX_TOTAL */
} hwc_kdf_budget;
/* Charges cost (iterations) against one run's cap and the file's budget;
 * 0 with an error naming `what` and the cap when over either. */
int hwc_kdf_spend(hwc_kdf_budget *b, int64_t cost, int64_t cap,
                  const char *what);
/* The same for a password-based encryption AlgorithmIdentifier (PBES2 with
 * PBKDF2 or scrypt, PBES1, the PKCS#12 PBEs); others pass (libcrypto
 * refuses them without deriving anything). */
int hwc_kdf_check(const X509_ALGOR *alg, hwc_kdf_budget *b, const char *what);
/* A PKCS#12 MAC (iterations, or PBMAC1's PBKDF2), runs times over. */
struct PKCS12_st;
int hwc_kdf_check_mac(const struct PKCS12_st *p12, int runs, hwc_kdf_budget *b);

#endif /* HWC_KDFCAP_H */
