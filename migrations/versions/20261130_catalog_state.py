"""catalog: the token that tells processes their in-memory catalog is out of date; the
database's own search structures go

Revision ID: catalog_state
Revises: catalog_listing
Create Date: 2026-11-30 08:30:00

Every write that changes what the public catalog shows sets a new random token in the one row
of ``catalog_state``; a process rebuilds its in-memory catalog when the token differs from the
one it was built at (``courses.queries.catalog_index``). Searches run on that index, so the
``course_terms`` postings, SQLite's FTS5 table over ``course_documents`` and PostgreSQL's GIN
index on it are no longer read; they are dropped (``course_documents`` stays: the index is
built from it).
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_state"
down_revision = "catalog_listing"
branch_labels = None
depends_on = None

GIN = "ix_course_documents_body_tsv"
# SQLite's FTS5 table over course_documents and its triggers, as revision 0003 made them.
FTS = (
    "CREATE VIRTUAL TABLE course_documents_fts USING fts5(title, body, content='course_documents', "
    "content_rowid='course_id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '-_'\")",
    "CREATE TRIGGER course_documents_ai AFTER INSERT ON course_documents BEGIN "
    "INSERT INTO course_documents_fts(rowid, title, body) VALUES (new.course_id, new.title, new.body); END",
    "CREATE TRIGGER course_documents_ad AFTER DELETE ON course_documents BEGIN "
    "INSERT INTO course_documents_fts(course_documents_fts, rowid, title, body) "
    "VALUES ('delete', old.course_id, old.title, old.body); END",
    "CREATE TRIGGER course_documents_au AFTER UPDATE ON course_documents BEGIN "
    "INSERT INTO course_documents_fts(course_documents_fts, rowid, title, body) "
    "VALUES ('delete', old.course_id, old.title, old.body); "
    "INSERT INTO course_documents_fts(rowid, title, body) VALUES (new.course_id, new.title, new.body); END",
)


def upgrade() -> None:
    table = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "token": "initial"}])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS course_documents_fts")
        for trigger in ("course_documents_ai", "course_documents_ad", "course_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    elif bind.dialect.name == "postgresql":
        op.drop_index(GIN, table_name="course_documents")
    with op.batch_alter_table("course_terms") as batch_op:
        batch_op.drop_index("ix_course_terms_term_course_weight")
        batch_op.drop_index("ix_course_terms_course_id")
    op.drop_table("course_terms")


def downgrade() -> None:
    """Back to the database's search structures: empty postings (``skills-market courses
    search-reindex`` fills them), the FTS5 table rebuilt from the documents, the GIN index."""
    op.create_table(
        "course_terms",
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name="fk_course_terms_course_id_courses",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "course_id", name="pk_course_terms"),
    )
    with op.batch_alter_table("course_terms") as batch_op:
        batch_op.create_index("ix_course_terms_course_id", ["course_id"], unique=False)
        batch_op.create_index("ix_course_terms_term_course_weight", ["term", "course_id", "weight"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in FTS:
            op.execute(statement)
        op.execute("INSERT INTO course_documents_fts(course_documents_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.create_index(GIN, "course_documents", [sa.text("array_to_tsvector(string_to_array(body, ' '))")],
                        postgresql_using="gin")
    op.drop_table("catalog_state")
