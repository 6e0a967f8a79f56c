"""Preparing timeline data for templates (templates never query)."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.timeline.models import Chapter, TimelineEvent


@dataclass
class ChapterSection:
    chapter: Chapter | None
    events: list[TimelineEvent] = field(default_factory=list)


def group_by_chapter(chapters: list[Chapter], events: list[TimelineEvent]) -> list[ChapterSection]:
    """Sections in chapter order, each with its events in date order; events with no chapter
    come last. Chapters with no published events are left out."""
    sections = {chapter.pk: ChapterSection(chapter) for chapter in chapters}
    unfiled = ChapterSection(None)
    for event in events:
        sections.get(event.chapter_id, unfiled).events.append(event)
    ordered = [section for section in sections.values() if section.events]
    if unfiled.events:
        ordered.append(unfiled)
    return ordered
