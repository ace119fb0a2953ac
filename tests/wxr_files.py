"""WordPress export files written by hand for the importer's tests: every status, deep threads,
hostile HTML, the namespaces of WordPress.org (http) and WordPress.com (https)."""

from __future__ import annotations

from html import escape


def comment_xml(
    comment_id: int,
    *,
    parent: int = 0,
    approved: str = "1",
    content: str = "A comment.",
    kind: str = "comment",
    author: str = "Reader",
    email: str = "reader@example.com",
    date: str = "2016-03-02 10:00:00",
) -> str:
    return f"""
      <wp:comment>
        <wp:comment_id>{comment_id}</wp:comment_id>
        <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
        <wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
        <wp:comment_author_url>https://reader.example/</wp:comment_author_url>
        <wp:comment_author_IP><![CDATA[192.0.2.{comment_id % 250}]]></wp:comment_author_IP>
        <wp:comment_date><![CDATA[{date}]]></wp:comment_date>
        <wp:comment_date_gmt><![CDATA[{date}]]></wp:comment_date_gmt>
        <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
        <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
        <wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
        <wp:comment_parent>{parent}</wp:comment_parent>
        <wp:comment_user_id>0</wp:comment_user_id>
      </wp:comment>"""


def item_xml(
    post_id: int,
    *,
    title: str = "A post",
    slug: str = "",
    status: str = "publish",
    kind: str = "post",
    content: str = "<!-- wp:paragraph -->\n<p>Hello.</p>\n<!-- /wp:paragraph -->",
    excerpt: str = "",
    date: str = "2016-03-01 12:00:00",
    comment_status: str = "open",
    password: str = "",
    comments: str = "",
    creator: str = "teacher",
) -> str:
    return f"""
    <item>
      <title>{escape(title)}</title>
      <link>https://old.example/?p={post_id}</link>
      <pubDate>Tue, 01 Mar 2016 12:00:00 +0000</pubDate>
      <dc:creator><![CDATA[{creator}]]></dc:creator>
      <guid isPermaLink="false">https://old.example/?p={post_id}</guid>
      <description></description>
      <content:encoded><![CDATA[{content}]]></content:encoded>
      <excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
      <wp:post_id>{post_id}</wp:post_id>
      <wp:post_date><![CDATA[{date}]]></wp:post_date>
      <wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>
      <wp:comment_status><![CDATA[{comment_status}]]></wp:comment_status>
      <wp:ping_status><![CDATA[closed]]></wp:ping_status>
      <wp:post_name><![CDATA[{slug}]]></wp:post_name>
      <wp:status><![CDATA[{status}]]></wp:status>
      <wp:post_parent>0</wp:post_parent>
      <wp:menu_order>0</wp:menu_order>
      <wp:post_type><![CDATA[{kind}]]></wp:post_type>
      <wp:post_password><![CDATA[{password}]]></wp:post_password>
      <wp:is_sticky>0</wp:is_sticky>
      <category domain="category" nicename="class"><![CDATA[Class]]></category>{comments}
    </item>"""


def wxr(items: str, *, version: str = "1.2", scheme: str = "http") -> str:
    wp = f"{scheme}://wordpress.org/export/{version}/"
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="{wp}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{wp}">
  <channel>
    <title>Old class blog</title>
    <link>https://old.example</link>
    <description>Imported</description>
    <language>en-US</language>
    <wp:wxr_version>{version}</wp:wxr_version>
    <wp:base_site_url>https://old.example</wp:base_site_url>
    <wp:base_blog_url>https://old.example</wp:base_blog_url>
    <wp:author>
      <wp:author_id>1</wp:author_id>
      <wp:author_login><![CDATA[teacher]]></wp:author_login>
      <wp:author_email><![CDATA[teacher@old.example]]></wp:author_email>
      <wp:author_display_name><![CDATA[Ms. Teacher]]></wp:author_display_name>
    </wp:author>
    {items}
  </channel>
</rss>
"""


HOSTILE_COMMENT = (
    "<h1>Shouting</h1><p>Hello <strong>there</strong> "
    '<a href="https://x.example/" onclick="steal()">link</a></p>'
    '<script>alert(1)</script><img src="https://tracker.example/p.gif">'
    "<blockquote>quoted</blockquote>"
)


def class_blog(scheme: str = "http", version: str = "1.2") -> str:
    """A class blog: a published post with a thread seven deep and comments in every status,
    a closed post, a scheduled, a draft, a pending and a private post, a password-protected one,
    a page, an attachment, a menu item, a pingback and a trackback."""
    thread = comment_xml(1, content="Top of the thread.")
    for depth in range(2, 8):
        thread += comment_xml(depth, parent=depth - 1, content=f"Reply at depth {depth}.")
    thread += comment_xml(20, approved="0", content="Waiting.")
    thread += comment_xml(21, approved="spam", content="Buy now.")
    thread += comment_xml(22, approved="trash", content="Binned.")
    thread += comment_xml(23, content=HOSTILE_COMMENT, author="Mallory")
    thread += comment_xml(24, kind="pingback", content="Linked to you.")
    thread += comment_xml(25, kind="trackback", content="Tracked.")
    items = "".join(
        [
            item_xml(
                10,
                title="Week 1: Reading",
                slug="week-1-reading",
                content="<!-- wp:paragraph -->\nFirst line\nsecond line\n\nNext paragraph "
                "<script>bad()</script><h2>Heading</h2>\n<!-- /wp:paragraph -->",
                excerpt="The first week.",
                comments=thread,
            ),
            item_xml(
                11,
                title="Closed discussion",
                slug="closed",
                comment_status="closed",
                comments=comment_xml(30, content="Before it closed."),
            ),
            item_xml(
                12, title="Next term", slug="next-term", status="future", date="2099-01-01 09:00:00"
            ),
            item_xml(13, title="Unfinished", slug="", status="draft", date="0000-00-00 00:00:00"),
            item_xml(14, title="Pending review", slug="pending-review", status="pending"),
            item_xml(15, title="Private notes", slug="private-notes", status="private"),
            item_xml(16, title="Answers", slug="answers", password="s3cret"),
            item_xml(17, title="About", slug="about", kind="page"),
            item_xml(18, title="photo.jpg", slug="photo", kind="attachment", status="inherit"),
            item_xml(19, title="Home", slug="home", kind="nav_menu_item"),
        ]
    )
    return wxr(items, version=version, scheme=scheme)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><title>&lol4;</title></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&xxe;</title></channel></rss>
"""
