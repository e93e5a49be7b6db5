-- The siptrace table for Kamailio 5.6 (table version 4) in PostgreSQL, for the sipflow scenario;
-- loaded by postgres.sh init in single-user mode before the server starts.
-- Differs from Debian's /usr/share/kamailio/postgres/siptrace-create.sql on purpose: the string
-- columns that are empty for some messages (totag on an initial INVITE or a REGISTER, status on
-- requests, method on some replies) accept NULL. Debian's NOT NULL totag makes the database
-- reject those rows, which siptrace drops without counting them. One index (callid) only: the
-- benchmark measures the cost of storing every message, not of a reporting schema.
CREATE TABLE version (
    id SERIAL PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT INTO version (table_name, table_version) VALUES ('version', 1);

CREATE TABLE sip_trace (
    id SERIAL PRIMARY KEY NOT NULL,
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
INSERT INTO version (table_name, table_version) VALUES ('sip_trace', 4);
