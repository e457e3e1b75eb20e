"""certificates: stored PDFs (rendered at issuance, served as stored)

Revision ID: certificate_pdfs
Revises: records
Create Date: 2026-11-30 03:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'certificate_pdfs'
down_revision = 'records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate_pdfs',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_pdfs_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdfs'))
    )
    # Certificates issued before this revision have no stored PDF: the download renders theirs
    # on request until `skills-market render-certificate-pdfs` stores them.


def downgrade() -> None:
    op.drop_table('certificate_pdfs')
