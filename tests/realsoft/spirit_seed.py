"""Fill a migrated Spirit project with the fixture's forum (``spirit_world.Plan`` as JSON).

Run inside the project, as its own process: ``DJANGO_SETTINGS_MODULE=… python spirit_seed.py
PLAN.json``. Topics and comments go through Spirit's own forms (its markdown renderer, slugs,
notifications), as a user posting them would; only the creation times are then set to the
planned ones, which no form lets a user choose.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import django


def seed(plan: dict[str, Any]) -> None:
    """Create the plan's site settings, users, categories, topics and comments."""
    from django.contrib.auth import get_user_model
    from spirit.admin.forms import BasicConfigForm
    from spirit.category.models import Category
    from spirit.comment.forms import CommentForm
    from spirit.comment.models import Comment
    from spirit.comment.utils import comment_posted
    from spirit.topic.forms import TopicForm
    from spirit.topic.models import Topic
    from spirit.user.models import UserProfile

    config = BasicConfigForm(
        data={
            "site_name": "OTC Forum",
            "comments_per_page": plan["comments_per_page"],
            "topics_per_page": plan["topics_per_page"],
        }
    )
    _check(config)
    config.save()

    users = {}
    for spec in plan["users"]:
        user = get_user_model().objects.create_user(
            username=spec["username"], email=f"{spec['username']}@example.com", password="x"
        )
        UserProfile.objects.filter(user=user).update(nickname=spec["nickname"], is_verified=True)
        users[spec["username"]] = get_user_model().objects.get(pk=user.pk)

    categories = {title: Category.objects.create(title=title) for title in plan["categories"]}
    for spec in plan["topics"]:
        comments = spec["comments"]
        form = TopicForm(
            user=users[comments[0]["author"]],
            data={"title": spec["title"], "category": categories[spec["category"]].pk},
        )
        _check(form)
        topic = form.save()
        for planned in comments:
            cform = CommentForm(
                user=users[planned["author"]], topic=topic, data={"comment": planned["text"]}
            )
            _check(cform)
            comment = cform.save()
            comment_posted(comment=comment, mentions=cform.mentions)
            Comment.objects.filter(pk=comment.pk).update(
                date=datetime.fromisoformat(planned["posted_at"])
            )
        Topic.objects.filter(pk=topic.pk).update(
            date=datetime.fromisoformat(comments[0]["posted_at"]),
            last_active=datetime.fromisoformat(comments[-1]["posted_at"]),
            comment_count=len(comments),
        )


def _check(form: Any) -> None:
    if not form.is_valid():
        raise SystemExit(f"{type(form).__name__} rejected the plan: {form.errors.as_json()}")


if __name__ == "__main__":
    django.setup()
    with open(sys.argv[1], encoding="utf-8") as file:
        seed(json.load(file))
