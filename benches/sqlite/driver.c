/* A small SQLite workload for rt's compile-time and run-time benches: an in-memory
   database, N inserted rows, an index, aggregate and join queries. argv[1] = N. */
#include <stdio.h>
#include <stdlib.h>
#include "sqlite3.h"

static void must(int rc, sqlite3 *db, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

static int print_row(void *unused, int n, char **vals, char **names) {
  (void)unused;
  for (int i = 0; i < n; i++) printf("%s%s=%s", i ? " " : "", names[i], vals[i] ? vals[i] : "NULL");
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  sqlite3 *db;
  must(sqlite3_open(":memory:", &db), db, "open");
  must(sqlite3_exec(db, "PRAGMA temp_store=MEMORY", 0, 0, 0), db, "pragma");
  must(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, v REAL);"
                        "CREATE TABLE g(k INTEGER PRIMARY KEY, label TEXT);", 0, 0, 0), db, "create");
  must(sqlite3_exec(db, "BEGIN", 0, 0, 0), db, "begin");
  sqlite3_stmt *ins;
  must(sqlite3_prepare_v2(db, "INSERT INTO t(k, name, v) VALUES(?, ?, ?)", -1, &ins, 0), db, "prepare");
  unsigned x = 12345;
  char name[32];
  for (int i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    snprintf(name, sizeof name, "n%u", x % 100000u);
    sqlite3_bind_int(ins, 1, (int)(x % 1000u));
    sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(ins, 3, (x % 10000u) / 7.0);
    must(sqlite3_step(ins), db, "insert");
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  for (int k = 0; k < 1000; k++) {
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT INTO g VALUES(%d, 'group%d')", k, k % 37);
    must(sqlite3_exec(db, sql, 0, 0, 0), db, "insert g");
  }
  must(sqlite3_exec(db, "COMMIT; CREATE INDEX t_k ON t(k); CREATE INDEX t_name ON t(name);", 0, 0, 0), db, "index");
  must(sqlite3_exec(db, "SELECT count(*), sum(v), min(name), max(name) FROM t;"
                        "SELECT g.label, count(*) AS c, round(avg(t.v), 3) AS a FROM t JOIN g ON t.k = g.k"
                        " GROUP BY g.label ORDER BY c DESC, g.label LIMIT 3;"
                        "SELECT count(DISTINCT name) FROM t WHERE name LIKE 'n1%';"
                        "SELECT k, count(*) FROM t WHERE k BETWEEN 100 AND 110 GROUP BY k ORDER BY k LIMIT 2;",
                    print_row, 0, 0), db, "query");
  sqlite3_close(db);
  return 0;
}
