// kernels-v0: arbitrary precision unsigned integers: factorial 100, Fibonacci 1000, Mersenne 521 in decimal
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIMBS 64 /* 2048 bits */

struct bigint {
    uint32_t limb[MAX_LIMBS]; /* little endian */
    int len;                  /* number of used limbs; 0 means zero */
};

static void big_normalize(struct bigint *a) {
    while (a->len > 0 && a->limb[a->len - 1] == 0)
        a->len--;
}

static void big_set_u32(struct bigint *a, uint32_t v) {
    memset(a->limb, 0, sizeof a->limb);
    a->limb[0] = v;
    a->len = v ? 1 : 0;
}

static int big_is_zero(const struct bigint *a) { return a->len == 0; }

static int big_cmp(const struct bigint *a, const struct bigint *b) {
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (int i = a->len - 1; i >= 0; i--)
        if (a->limb[i] != b->limb[i])
            return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* r = a + b; returns 0 on overflow of the fixed capacity. r may alias. */
static int big_add(struct bigint *r, const struct bigint *a,
                   const struct bigint *b) {
    int n = a->len > b->len ? a->len : b->len;
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t s = carry;
        if (i < a->len)
            s += a->limb[i];
        if (i < b->len)
            s += b->limb[i];
        r->limb[i] = (uint32_t)s;
        carry = s >> 32;
    }
    for (int i = n; i < MAX_LIMBS; i++)
        r->limb[i] = 0;
    if (carry) {
        if (n == MAX_LIMBS)
            return 0;
        r->limb[n++] = (uint32_t)carry;
    }
    r->len = n;
    big_normalize(r);
    return 1;
}

/* r = a - b, requires a >= b. r may alias. */
static int big_sub(struct bigint *r, const struct bigint *a,
                   const struct bigint *b) {
    if (big_cmp(a, b) < 0)
        return 0;
    uint32_t borrow = 0;
    for (int i = 0; i < a->len; i++) {
        uint64_t sub = (uint64_t)(i < b->len ? b->limb[i] : 0) + borrow;
        uint64_t cur = a->limb[i];
        if (cur >= sub) {
            r->limb[i] = (uint32_t)(cur - sub);
            borrow = 0;
        } else {
            r->limb[i] = (uint32_t)((cur + (1ull << 32)) - sub);
            borrow = 1;
        }
    }
    for (int i = a->len; i < MAX_LIMBS; i++)
        r->limb[i] = 0;
    r->len = a->len;
    big_normalize(r);
    return 1;
}

/* r = a * b (schoolbook); r must not alias a or b. */
static int big_mul(struct bigint *r, const struct bigint *a,
                   const struct bigint *b) {
    if (a->len + b->len > MAX_LIMBS + 1)
        return 0;
    uint32_t tmp[2 * MAX_LIMBS + 1];
    memset(tmp, 0, sizeof tmp);
    for (int i = 0; i < a->len; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < b->len; j++) {
            uint64_t cur = (uint64_t)a->limb[i] * b->limb[j] + tmp[i + j] + carry;
            tmp[i + j] = (uint32_t)cur;
            carry = cur >> 32;
        }
        int k = i + b->len;
        while (carry) {
            uint64_t cur = (uint64_t)tmp[k] + carry;
            tmp[k++] = (uint32_t)cur;
            carry = cur >> 32;
        }
    }
    int n = a->len + b->len;
    while (n > 0 && tmp[n - 1] == 0)
        n--;
    if (n > MAX_LIMBS)
        return 0;
    memset(r->limb, 0, sizeof r->limb);
    memcpy(r->limb, tmp, (size_t)n * sizeof tmp[0]);
    r->len = n;
    return 1;
}

static int big_mul_small(struct bigint *a, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < a->len; i++) {
        uint64_t cur = (uint64_t)a->limb[i] * m + carry;
        a->limb[i] = (uint32_t)cur;
        carry = cur >> 32;
    }
    if (carry) {
        if (a->len == MAX_LIMBS)
            return 0;
        a->limb[a->len++] = (uint32_t)carry;
    }
    big_normalize(a);
    return 1;
}

static int big_add_small(struct bigint *a, uint32_t v) {
    uint64_t carry = v;
    for (int i = 0; i < a->len && carry; i++) {
        uint64_t cur = (uint64_t)a->limb[i] + carry;
        a->limb[i] = (uint32_t)cur;
        carry = cur >> 32;
    }
    if (carry) {
        if (a->len == MAX_LIMBS)
            return 0;
        a->limb[a->len++] = (uint32_t)carry;
    }
    return 1;
}

/* a /= d, returns the remainder. d must be non-zero. */
static uint32_t big_divmod_small(struct bigint *a, uint32_t d) {
    uint64_t rem = 0;
    for (int i = a->len - 1; i >= 0; i--) {
        uint64_t cur = rem << 32 | a->limb[i];
        a->limb[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    big_normalize(a);
    return (uint32_t)rem;
}

static int big_shl(struct bigint *a, unsigned bits) {
    unsigned words = bits / 32, rest = bits % 32;
    if (a->len == 0)
        return 1;
    if ((unsigned)a->len + words + 1 > MAX_LIMBS)
        return 0;
    for (int i = a->len - 1; i >= 0; i--)
        a->limb[(unsigned)i + words] = a->limb[i];
    for (unsigned i = 0; i < words; i++)
        a->limb[i] = 0;
    a->len += (int)words;
    if (rest) {
        uint32_t carry = 0;
        for (int i = (int)words; i < a->len; i++) {
            uint32_t v = a->limb[i];
            a->limb[i] = v << rest | carry;
            carry = v >> (32 - rest);
        }
        if (carry)
            a->limb[a->len++] = carry;
    }
    return 1;
}

/* Decimal conversion, peeling off nine digits at a time. */
static size_t big_to_decimal(const struct bigint *a, char *out, size_t cap) {
    struct bigint t = *a;
    char rev[MAX_LIMBS * 10 + 1];
    size_t n = 0;
    if (big_is_zero(&t)) {
        rev[n++] = '0';
    }
    while (!big_is_zero(&t)) {
        uint32_t chunk = big_divmod_small(&t, 1000000000u);
        for (int k = 0; k < 9; k++) {
            rev[n++] = (char)('0' + chunk % 10u);
            chunk /= 10u;
            if (big_is_zero(&t) && chunk == 0)
                break;
        }
    }
    if (n + 1 > cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
    return n;
}

static int big_from_decimal(struct bigint *a, const char *s) {
    big_set_u32(a, 0);
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (!big_mul_small(a, 10) || !big_add_small(a, (uint32_t)(*s - '0')))
            return 0;
    }
    return 1;
}

static uint32_t digit_sum(const char *s) {
    uint32_t sum = 0;
    while (*s)
        sum += (uint32_t)(*s++ - '0');
    return sum;
}

static const char factorial_100[] =
    "933262154439441526816992388562667004907159682643816214685929638952175999"
    "932299156089414639761565182862536979208272237582511852109168640000000000"
    "00000000000000";

static const char fibonacci_1000[] =
    "434665576869374564356885276750406258025646605173717804024817290895365554"
    "179490518904038798400792551692959225930803226347752096896232398733224711"
    "61642996440906533187938298969649928516003704476137795166849228875";

static const char mersenne_521[] =
    "686479766013060971498190079908139321726943530014330540939446345918554318"
    "339765605212255964066145455497729631139148085803712198799971664381257402"
    "8291115057151";

int main(void) {
    static char buf[MAX_LIMBS * 10 + 2];
    int ok = 1;

    /* 100! by repeated small multiplication */
    struct bigint f;
    big_set_u32(&f, 1);
    for (uint32_t i = 2; i <= 100; i++)
        if (!big_mul_small(&f, i))
            ok = 0;
    big_to_decimal(&f, buf, sizeof buf);
    printf("100! has %zu digits, digit sum %u\n", strlen(buf),
           (unsigned)digit_sum(buf));
    if (strcmp(buf, factorial_100) != 0)
        ok = 0;

    /* dividing back down must give exactly 1 with zero remainders */
    struct bigint g = f;
    for (uint32_t i = 100; i >= 2; i--)
        if (big_divmod_small(&g, i) != 0)
            ok = 0;
    if (g.len != 1 || g.limb[0] != 1)
        ok = 0;

    /* F(1000) by iterated addition */
    struct bigint a, b, c;
    big_set_u32(&a, 0);
    big_set_u32(&b, 1);
    for (int i = 0; i < 1000; i++) {
        if (!big_add(&c, &a, &b))
            ok = 0;
        a = b;
        b = c;
    }
    big_to_decimal(&a, buf, sizeof buf);
    printf("F(1000) has %zu digits, digit sum %u\n", strlen(buf),
           (unsigned)digit_sum(buf));
    if (strcmp(buf, fibonacci_1000) != 0)
        ok = 0;

    /* doubling identity: F(1000) = F(500) * (2 F(501) - F(500)) */
    struct bigint f500, f501, t1, t2;
    big_set_u32(&f500, 0);
    big_set_u32(&f501, 1);
    for (int i = 0; i < 500; i++) {
        big_add(&c, &f500, &f501);
        f500 = f501;
        f501 = c;
    }
    t1 = f501;
    big_mul_small(&t1, 2);
    big_sub(&t1, &t1, &f500);
    if (!big_mul(&t2, &f500, &t1) || big_cmp(&t2, &a) != 0) {
        printf("doubling identity failed\n");
        ok = 0;
    }

    /* 2^521 - 1 via shifting, and the round trip through decimal */
    struct bigint m, one, back;
    big_set_u32(&m, 1);
    big_shl(&m, 521);
    big_set_u32(&one, 1);
    big_sub(&m, &m, &one);
    big_to_decimal(&m, buf, sizeof buf);
    printf("2^521-1 has %zu digits, last limb %08x\n", strlen(buf),
           (unsigned)m.limb[m.len - 1]);
    if (strcmp(buf, mersenne_521) != 0)
        ok = 0;
    if (!big_from_decimal(&back, buf) || big_cmp(&back, &m) != 0)
        ok = 0;

    /* (a + b) - b == a and (a * b) / b == a on pseudo random operands */
    uint32_t x = 0x1234567u, checksum = 0;
    for (int round = 0; round < 200; round++) {
        struct bigint p, q, s, d, prod;
        memset(&p, 0, sizeof p);
        memset(&q, 0, sizeof q);
        p.len = 1 + round % 20;
        q.len = 1 + (round * 7) % 12;
        for (int i = 0; i < p.len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            p.limb[i] = x;
        }
        for (int i = 0; i < q.len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            q.limb[i] = x;
        }
        big_normalize(&p);
        big_normalize(&q);
        if (!big_add(&s, &p, &q) || !big_sub(&d, &s, &q) || big_cmp(&d, &p) != 0)
            ok = 0;
        uint32_t small = (x % 65521u) + 2u;
        struct bigint qs;
        big_set_u32(&qs, small);
        if (!big_mul(&prod, &p, &qs) || big_divmod_small(&prod, small) != 0 ||
            big_cmp(&prod, &p) != 0)
            ok = 0;
        if (!big_mul(&prod, &p, &q))
            ok = 0;
        big_to_decimal(&prod, buf, sizeof buf);
        checksum = checksum * 31u + digit_sum(buf) + (uint32_t)strlen(buf);
    }
    printf("random round checksum %08x\n", (unsigned)checksum);
    if (checksum != 0xfc248cb7u)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
