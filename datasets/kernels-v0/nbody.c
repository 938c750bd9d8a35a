// kernels-v0: softened gravitational n-body simulation with leapfrog integration, energy and momentum conservation checks
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define NBODIES 40
#define STEPS 1000
#define DT 0.002
#define SOFTENING2 0.01

typedef struct {
    double x, y, z;
    double vx, vy, vz;
    double ax, ay, az;
    double mass;
} body;

static body bodies[NBODIES];

static uint64_t lcg_state = 0x2545F4914F6CDD1Du;
static double rand_range(double lo, double hi) {
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return lo + (hi - lo) * ((double)(lcg_state >> 11) / 9007199254740992.0);
}

static void init_system(body *b, int n) {
    const double star_mass = 1000.0;
    b[0] = (body){0, 0, 0, 0, 0, 0, 0, 0, 0, star_mass};
    for (int i = 1; i < n; i++) {
        /* random direction in the plane without trigonometry: normalise a random vector */
        double r = rand_range(5.0, 30.0);
        double ux = rand_range(-1.0, 1.0), uy = rand_range(-1.0, 1.0);
        double len = sqrt(ux * ux + uy * uy) + 1e-3;
        double c = ux / len, s = uy / len;
        double speed = sqrt(star_mass / r);
        double z = rand_range(-0.5, 0.5);
        double vz = rand_range(-0.05, 0.05);
        double mass = rand_range(0.01, 0.1);
        b[i] = (body){r * c, r * s, z, -speed * s, speed * c, vz, 0, 0, 0, mass};
    }
    /* shift to the centre-of-momentum frame */
    double px = 0, py = 0, pz = 0, m = 0;
    for (int i = 0; i < n; i++) {
        px += b[i].mass * b[i].vx;
        py += b[i].mass * b[i].vy;
        pz += b[i].mass * b[i].vz;
        m += b[i].mass;
    }
    for (int i = 0; i < n; i++) {
        b[i].vx -= px / m;
        b[i].vy -= py / m;
        b[i].vz -= pz / m;
    }
}

static void accelerations(body *b, int n) {
    for (int i = 0; i < n; i++) b[i].ax = b[i].ay = b[i].az = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double dx = b[j].x - b[i].x, dy = b[j].y - b[i].y, dz = b[j].z - b[i].z;
            double d2 = dx * dx + dy * dy + dz * dz + SOFTENING2;
            double inv = 1.0 / (d2 * sqrt(d2));
            b[i].ax += dx * b[j].mass * inv;
            b[i].ay += dy * b[j].mass * inv;
            b[i].az += dz * b[j].mass * inv;
            b[j].ax -= dx * b[i].mass * inv;
            b[j].ay -= dy * b[i].mass * inv;
            b[j].az -= dz * b[i].mass * inv;
        }
}

static double energy(const body *b, int n) {
    double e = 0.0;
    for (int i = 0; i < n; i++) {
        e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < n; j++) {
            double dx = b[j].x - b[i].x, dy = b[j].y - b[i].y, dz = b[j].z - b[i].z;
            e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz + SOFTENING2);
        }
    }
    return e;
}

static void momentum(const body *b, int n, double p[3]) {
    p[0] = p[1] = p[2] = 0.0;
    for (int i = 0; i < n; i++) {
        p[0] += b[i].mass * b[i].vx;
        p[1] += b[i].mass * b[i].vy;
        p[2] += b[i].mass * b[i].vz;
    }
}

/* Kick-drift-kick leapfrog; accelerations must be current on entry. */
static void leapfrog_step(body *b, int n, double dt) {
    for (int i = 0; i < n; i++) {
        b[i].vx += 0.5 * dt * b[i].ax;
        b[i].vy += 0.5 * dt * b[i].ay;
        b[i].vz += 0.5 * dt * b[i].az;
        b[i].x += dt * b[i].vx;
        b[i].y += dt * b[i].vy;
        b[i].z += dt * b[i].vz;
    }
    accelerations(b, n);
    for (int i = 0; i < n; i++) {
        b[i].vx += 0.5 * dt * b[i].ax;
        b[i].vy += 0.5 * dt * b[i].ay;
        b[i].vz += 0.5 * dt * b[i].az;
    }
}

int main(void) {
    int fails = 0;
    double p0[3], p1[3];
    init_system(bodies, NBODIES);
    double e0 = energy(bodies, NBODIES);
    momentum(bodies, NBODIES, p0);
    accelerations(bodies, NBODIES);
    for (int s = 0; s < STEPS; s++) leapfrog_step(bodies, NBODIES, DT);
    double e1 = energy(bodies, NBODIES);
    momentum(bodies, NBODIES, p1);

    double drift = fabs((e1 - e0) / e0);
    double dp = fabs(p1[0] - p0[0]) + fabs(p1[1] - p0[1]) + fabs(p1[2] - p0[2]);
    printf("energy before %.6f after %.6f\n", e0, e1);
    printf("relative drift below 1e-6: %s, momentum change below 1e-9: %s\n", drift < 1e-6 ? "yes" : "no",
           dp < 1e-9 ? "yes" : "no");
    printf("body 1 at (%.4f, %.4f, %.4f)\n", bodies[1].x, bodies[1].y, bodies[1].z);
    if (drift >= 1e-6 || dp >= 1e-9) fails++;
    if (fabs(e1 + 61.384613731878) > 1e-12 * fabs(e1)) fails++;
    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
