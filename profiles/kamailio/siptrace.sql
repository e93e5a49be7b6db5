-- The siptrace table for Kamailio 5.6 (table version 4) in SQLite, for the sipflow scenario.
-- Differs from Debian's /usr/share/kamailio/db_sqlite/siptrace-create.sql on purpose: the
-- string columns that are empty for some messages (totag on an initial INVITE or a REGISTER,
-- status on requests, method on some replies) accept NULL, because db_sqlite stores an empty
-- value as NULL and a NOT NULL column then makes SQLite reject the row, which siptrace drops
-- without counting it.
-- Rollback journal, not WAL: with no busy timeout in db_sqlite, Kamailio's children opening a WAL
-- database at once raced on its shared-memory index and one start in nine died with "database is
-- locked" in siptrace's version check. Readers alone never conflict in rollback mode, and the
-- harness sends no SIP (so nothing is written) until Kamailio's last worker answers HTTP.
PRAGMA journal_mode = DELETE;

CREATE TABLE version (
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT INTO version (table_name, table_version) VALUES ('version', 1);

CREATE TABLE sip_trace (
    id INTEGER PRIMARY KEY NOT NULL,
    time_stamp TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    time_us INTEGER DEFAULT 0 NOT NULL,
    callid VARCHAR(255) DEFAULT '',
    traced_user VARCHAR(255) DEFAULT '',
    msg TEXT NOT NULL,
    method VARCHAR(50) DEFAULT '',
    status VARCHAR(255) DEFAULT '',
    fromip VARCHAR(64) DEFAULT '',
    toip VARCHAR(64) DEFAULT '',
    fromtag VARCHAR(128) DEFAULT '',
    totag VARCHAR(128) DEFAULT '',
    direction VARCHAR(4) DEFAULT ''
);
CREATE INDEX sip_trace_callid_idx ON sip_trace (callid);
INSERT INTO version (table_name, table_version) VALUES ('sip_trace', '4');
