"""The participation report: one row per student, counted from a fixed number of queries.

``load_facts`` reads everything the report needs in three queries whatever the size of the class
(the roster, the posts in scope, and the comments in scope each with its parent's author and
both hand-made links); ``build_report`` is the rule that counts, in Python, in one pass.

What is counted, per person:
- submitted: every comment they sent in the scope; approved, pending, returned (sent back to
  them for revision) and spam/trash split it.
- top-level, replies to classmates, replies received, first and last: their comments that are
  not spam or trash (held and returned comments count: they were written on time, moderation is
  not theirs).
  A reply to a classmate answers another student on the roster; replies received are others'
  replies to them (classmates', guests' or the instructor's).
- words: in their approved comments.
- on time / late / missing, per post with a due time: on time with a comment at or before it,
  late with comments only after it, missing with none once it has passed.
With a date range, only comments written in it count, and only posts due in it can be missing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Comment, CommentStatus, Post, Student, StudentCommentLink
from .matching import StudentRef, normalize_email, owner_of

COUNTED = frozenset({CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.RETURNED})
DISCARDED = frozenset({CommentStatus.SPAM, CommentStatus.TRASH})
# More days than this and the chart counts comments per several days, so bars stay visible.
MAX_BINS = 92


@dataclass(frozen=True)
class Scope:
    """Which comments the report counts: one post or all, one section or all, a time range."""

    post_id: int | None = None
    section: str | None = None
    start: datetime | None = None  # inclusive, aware
    end: datetime | None = None  # exclusive, aware


@dataclass(frozen=True)
class PostFacts:
    id: int
    title: str
    slug: str
    published_at: datetime
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None


@dataclass(frozen=True)
class CommentFacts:
    """A comment as the report sees it, with what it needs of the comment it answers."""

    id: int
    post_id: int
    parent_id: int | None
    author_name: str
    author_email: str
    status: CommentStatus
    created_at: datetime
    body: str
    by_instructor: bool
    linked_student_id: int | None
    parent_author_email: str | None = None
    parent_linked_student_id: int | None = None
    parent_by_instructor: bool = False

    @property
    def words(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True)
class Facts:
    students: list[StudentRef]
    posts: list[PostFacts]
    comments: list[CommentFacts]


def load_facts(scope: Scope) -> Facts:
    """Everything the report counts, in three queries whatever the class size."""
    students = [
        StudentRef(*row)
        for row in db.session.execute(
            db.select(Student.id, Student.name, Student.email, Student.section).order_by(
                Student.name, Student.id
            )
        )
    ]
    post_query = db.select(
        Post.id,
        Post.title,
        Post.slug,
        Post.published_at,
        Post.opens_at,
        Post.due_at,
        Post.closes_at,
    ).order_by(Post.published_at, Post.id)
    if scope.post_id is not None:
        post_query = post_query.where(Post.id == scope.post_id)
    posts = [PostFacts(*row) for row in db.session.execute(post_query)]
    return Facts(students, posts, load_comments(scope))


def load_comments(scope: Scope) -> list[CommentFacts]:
    """The comments in scope, oldest first, each with its parent's author and both hand-made
    links, in one query."""
    parent = aliased(Comment)
    link = aliased(StudentCommentLink)
    parent_link = aliased(StudentCommentLink)
    query = (
        db.select(
            Comment.id,
            Comment.post_id,
            Comment.parent_id,
            Comment.author_name,
            Comment.author_email,
            Comment.status,
            Comment.created_at,
            Comment.body,
            Comment.instructor_id.is_not(None),
            link.student_id,
            parent.author_email,
            parent_link.student_id,
            parent.instructor_id.is_not(None),
        )
        .outerjoin(link, link.comment_id == Comment.id)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .outerjoin(parent_link, parent_link.comment_id == parent.id)
        .order_by(Comment.created_at, Comment.id)
    )
    if scope.post_id is not None:
        query = query.where(Comment.post_id == scope.post_id)
    if scope.start is not None:
        query = query.where(Comment.created_at >= scope.start)
    if scope.end is not None:
        query = query.where(Comment.created_at < scope.end)
    return [
        CommentFacts(*row[:12], parent_by_instructor=bool(row[12]))
        for row in db.session.execute(query)
    ]


@dataclass
class Participation:
    """One row of the report: a student on the roster, or a guest (``student`` None)."""

    name: str
    email: str
    section: str
    student: StudentRef | None
    submitted: int = 0
    approved: int = 0
    pending: int = 0
    returned: int = 0  # sent back to them for revision
    discarded: int = 0  # spam or trash
    top_level: int = 0
    replies_to_classmates: int = 0
    replies_received: int = 0
    words: int = 0
    first: datetime | None = None
    last: datetime | None = None
    on_time: int = 0
    late: int = 0
    missing: int = 0
    per_bin: list[int] = field(default_factory=list)
    # Their newest comment in scope: where a guest's comments are linked to a student from.
    latest_comment_id: int | None = None

    @property
    def is_guest(self) -> bool:
        return self.student is None

    @property
    def has_participated(self) -> bool:
        return self.submitted > 0


# The report's columns, in order: (key, heading). The grading CSV uses the same ones.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Student"),
    ("section", "Section"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("pending", "Pending"),
    ("returned", "Returned"),
    ("discarded", "Spam / trash"),
    ("top_level", "Top-level"),
    ("replies_to_classmates", "Replies to classmates"),
    ("replies_received", "Replies received"),
    ("words", "Words"),
    ("first", "First comment"),
    ("last", "Last comment"),
    ("on_time", "On time"),
    ("late", "Late"),
    ("missing", "Missing"),
)
SORT_KEYS = frozenset(key for key, _ in COLUMNS)


@dataclass(frozen=True)
class Bins:
    """The days the chart spans, cut into bins of ``width`` days."""

    start: date
    days: int
    width: int

    @property
    def count(self) -> int:
        return math.ceil(self.days / self.width)

    def index(self, day: date) -> int | None:
        offset = (day - self.start).days
        return offset // self.width if 0 <= offset < self.days else None

    def label(self, index: int) -> date:
        return self.start + timedelta(days=index * self.width)


@dataclass
class Report:
    scope: Scope
    posts: list[PostFacts]
    rows: list[Participation]
    guests: list[Participation]
    bins: Bins | None
    per_bin: list[int]
    # Due times in scope, for the chart's marks.
    due_times: list[datetime]

    @property
    def not_participated(self) -> list[Participation]:
        return [row for row in self.rows if not row.has_participated]

    @property
    def with_late(self) -> list[Participation]:
        return [row for row in self.rows if row.late]


def choose_bins(
    scope: Scope, posts: Sequence[PostFacts], comments: Sequence[CommentFacts], zone: tzinfo
) -> Bins | None:
    """The days the chart covers, in the site's zone: the date range where given; for one post,
    its window (opening to closing time, each end else the comments'); otherwise the days of
    the comments. Comments outside are not charted (the seed post's 2016 comment would
    otherwise stretch this term's window into a decade)."""

    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    first = day(scope.start) if scope.start else None
    last = day(scope.end - timedelta(microseconds=1)) if scope.end else None
    moments = [comment.created_at for comment in comments]
    if scope.post_id is not None and posts:
        post = posts[0]
        first = first or (day(post.opens_at) if post.opens_at else None)
        last = last or (day(post.closes_at) if post.closes_at else None)
        moments += [m for m in (post.opens_at, post.due_at, post.closes_at) if m]
    days = [
        d
        for d in map(day, moments)
        if (first is None or d >= first) and (last is None or d <= last)
    ]
    first = first or min(days, default=None)
    last = last or max(days, default=None)
    if first is None or last is None or last < first:
        return None
    total = (last - first).days + 1
    return Bins(first, total, math.ceil(total / MAX_BINS))


def build_report(facts: Facts, scope: Scope, *, now: datetime, zone: tzinfo) -> Report:
    """Count every person's participation in one pass over the comments (see the module's
    docstring for what each number means). Students come in roster order, filtered by section;
    guests (anyone else but the instructor) only when no section is chosen."""
    by_email = {student.email: student for student in facts.students}
    by_id = {student.id: student for student in facts.students}
    posts = {post.id: post for post in facts.posts}
    bins = choose_bins(scope, facts.posts, facts.comments, zone)
    bin_count = bins.count if bins else 0

    rows: dict[object, Participation] = {
        student.id: Participation(student.name, student.email, student.section, student)
        for student in facts.students
    }
    guests: dict[object, Participation] = {}
    # (person key, post id) → whether any counted comment came by the due time.
    by_post: dict[tuple[object, int], bool] = {}
    chart = [0] * bin_count

    def person(comment: CommentFacts) -> tuple[object, Participation] | None:
        if comment.by_instructor:
            return None
        student = owner_of(comment.author_email, comment.linked_student_id, by_email, by_id)
        if student is not None:
            return student.id, rows[student.id]
        email = normalize_email(comment.author_email)
        guest = guests.get(email)
        if guest is None:
            guest = guests[email] = Participation(comment.author_name, email, "", None)
        guest.name = comment.author_name  # the latest name they used
        return email, guest

    for comment in facts.comments:
        found = person(comment)
        if found is None:
            # The instructor's own comment: nobody's row, but a reply received for its parent.
            if comment.status in COUNTED and comment.parent_id is not None:
                count_reply(comment, None, None, rows, by_email, by_id, guests)
            continue
        key, row = found
        row.submitted += 1
        row.latest_comment_id = comment.id
        if comment.status in DISCARDED:
            row.discarded += 1
            continue
        if comment.status is CommentStatus.APPROVED:
            row.approved += 1
            row.words += comment.words
        elif comment.status is CommentStatus.RETURNED:
            row.returned += 1
        else:
            row.pending += 1
        row.first = row.first or comment.created_at
        row.last = comment.created_at
        if comment.parent_id is None:
            row.top_level += 1
        else:
            count_reply(comment, key, row, rows, by_email, by_id, guests)
        post = posts.get(comment.post_id)
        if post is not None and post.due_at is not None:
            on_time = comment.created_at <= post.due_at
            by_post[key, post.id] = by_post.get((key, post.id), False) or on_time
        if bins is not None:
            index = bins.index(comment.created_at.astimezone(zone).date())
            if index is not None:
                if not row.per_bin:
                    row.per_bin = [0] * bin_count
                row.per_bin[index] += 1
                if in_section(row, scope):  # a guest has no section: charted only without one
                    chart[index] += 1

    count_due_dates(facts.posts, scope, now, rows, guests, by_post)
    students = [rows[student.id] for student in facts.students]
    shown = [row for row in students if in_section(row, scope)]
    for row in [*shown, *guests.values()]:
        row.per_bin = row.per_bin or [0] * bin_count
    return Report(
        scope=scope,
        posts=facts.posts,
        rows=shown,
        guests=[] if scope.section else sorted(guests.values(), key=lambda g: g.name.lower()),
        bins=bins,
        per_bin=chart,
        due_times=[post.due_at for post in facts.posts if post.due_at is not None],
    )


def in_section(row: Participation, scope: Scope) -> bool:
    return not scope.section or row.section == scope.section


def count_reply(
    comment: CommentFacts,
    key: object,
    row: Participation | None,
    rows: dict[object, Participation],
    by_email: dict[str, StudentRef],
    by_id: dict[int, StudentRef],
    guests: dict[object, Participation],
) -> None:
    """A counted reply: to a classmate for its author (if both are students; ``row`` is None
    for the instructor), and received for the author of the comment it answers (if that is
    someone else)."""
    if comment.parent_author_email is None or comment.parent_by_instructor:
        return
    parent_student = owner_of(
        comment.parent_author_email, comment.parent_linked_student_id, by_email, by_id
    )
    if parent_student is not None:
        parent_key: object = parent_student.id
        parent_row: Participation | None = rows[parent_student.id]
    else:
        parent_key = normalize_email(comment.parent_author_email)
        parent_row = guests.get(parent_key)
    if parent_key == key:
        return  # answering oneself
    if parent_student is not None and row is not None and row.student is not None:
        row.replies_to_classmates += 1
    if parent_row is not None:
        parent_row.replies_received += 1


def count_due_dates(
    posts: Iterable[PostFacts],
    scope: Scope,
    now: datetime,
    rows: dict[object, Participation],
    guests: dict[object, Participation],
    by_post: dict[tuple[object, int], bool],
) -> None:
    """On time, late and missing per post with a due time; a guest is never missing."""
    for post in posts:
        if post.due_at is None:
            continue
        in_range = (scope.start is None or post.due_at >= scope.start) and (
            scope.end is None or post.due_at < scope.end
        )
        for people, can_miss in ((rows, True), (guests, False)):
            for key, row in people.items():
                on_time = by_post.get((key, post.id))
                if on_time is True:
                    row.on_time += 1
                elif on_time is False:
                    row.late += 1
                elif can_miss and in_range and post.due_at <= now:
                    row.missing += 1


def sort_rows(rows: list[Participation], key: str, descending: bool) -> list[Participation]:
    """Rows by any column, ties by name; empty values (no first comment yet) always last."""
    if key not in SORT_KEYS:
        key = "name"
    by_name = sorted(rows, key=lambda row: (row.name.lower(), row.email))

    def value(row: Participation) -> object:
        field_value = getattr(row, key)
        return field_value.lower() if isinstance(field_value, str) else field_value

    present = [row for row in by_name if value(row) not in (None, "")]
    empty = [row for row in by_name if value(row) in (None, "")]
    return sorted(present, key=value, reverse=descending) + empty  # type: ignore[arg-type]
