// The C boundary to MariaDB Connector/C. Only includes and `static inline`
// adapters for the variadic option calls Swift cannot make itself.
#ifndef SLUICE_CMARIADB_SHIM_H
#define SLUICE_CMARIADB_SHIM_H

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <mariadb_rpl.h>

static inline int sluice_rpl_set_filename(MARIADB_RPL *rpl, const char *name, size_t length) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, name, length);
}

static inline int sluice_rpl_set_start(MARIADB_RPL *rpl, unsigned long position) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, position);
}

static inline int sluice_rpl_set_server_id(MARIADB_RPL *rpl, unsigned int server_id) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, server_id);
}

static inline int sluice_rpl_set_flags(MARIADB_RPL *rpl, unsigned int flags) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags);
}

#endif
