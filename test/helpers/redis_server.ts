/** The tests' Redis server: a private `redis-server` per test file (kernel-lib/distributed/local_redis.ts). */
export { LocalRedis as TestRedis, freePort } from "../../kernel-lib/distributed/local_redis";
