-- Organisations (REQUIREMENTS §6): legal entities (LEGAL) and sole traders (BUSINESS), identified
-- ESIA-style by an integer oid (`/rs/orgs/{oid}`), never reused. OGRN (or OGRNIP) is unique: an
-- organisation is created once. Registry-checked fields (kind, ogrn, inn, full_name) are set at
-- creation and not edited by hand; the card fields are edited by the chief and admins.
CREATE TABLE orgs (
    oid            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL,
    ogrn           TEXT NOT NULL UNIQUE,
    inn            TEXT NOT NULL,
    kpp            TEXT NOT NULL DEFAULT '',
    short_name     TEXT NOT NULL,
    full_name      TEXT NOT NULL,
    legal_address  TEXT NOT NULL DEFAULT '',
    actual_address TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    hours          TEXT NOT NULL DEFAULT '',
    site           TEXT NOT NULL DEFAULT '',
    okpo           TEXT NOT NULL DEFAULT '',
    okved          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('orgs', 1000000000);

-- Members: a person's role in an organisation. Deleting the person removes the membership (cascade);
-- an organisation whose chief is gone has no 'chief' row and is listed for operators.
CREATE TABLE org_members (
    org_oid    INTEGER NOT NULL REFERENCES orgs(oid) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('chief', 'admin', 'employee')),
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (org_oid, account_id)
);
CREATE UNIQUE INDEX org_members_one_chief ON org_members (org_oid) WHERE role = 'chief';
CREATE INDEX org_members_account ON org_members (account_id);

-- Invitations by e-mail or SNILS: the invitee is stored only as a keyed hash (matched against the
-- accepting account's verified identifiers) with a masked form for the organisation's page.
-- Single use and revocation are conditions of one UPDATE.
CREATE TABLE org_invitations (
    id             TEXT PRIMARY KEY,
    org_oid        INTEGER NOT NULL REFERENCES orgs(oid) ON DELETE CASCADE,
    invitee_kind   TEXT NOT NULL CHECK (invitee_kind IN ('email', 'snils')),
    invitee_hash   TEXT NOT NULL,
    invitee_masked TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'employee')),
    invited_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    used_at        INTEGER,
    used_by        TEXT
);
CREATE INDEX org_invitations_invitee ON org_invitations (invitee_hash);
CREATE INDEX org_invitations_org ON org_invitations (org_oid);
