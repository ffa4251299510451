"""Workbooks shaped like the monthly attendance reports 钉钉 and 企业微信 export, for the import tests.

钉钉 考勤报表 → 月度汇总: a title row with the period (merged across the sheet), a row with the time the
report was made, two header rows (the upper one merged over 请假 and down over the single columns), one
row per person (姓名, 考勤组, 部门, 工号, 职位, UserId, the month's totals), then one column per day
whose upper header is the day of the month and whose lower header is the weekday.

企业微信 打卡 → 月报: a title row with the period, two header rows (基础信息 merged over 部门/职务/工号,
考勤概况 over the totals, 每日考勤 over the days, each day's lower header "11-01 星期日"), one row per
person.
"""

from __future__ import annotations

import io
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook

WEEKDAYS = "一二三四五六日"


@dataclass
class Person:
    name: str
    employee_no: str
    department: str = "电子商务部"
    days: dict[int, str] = field(default_factory=dict)  # day of month → cell text (default by weekday)


def default_cell(day: date) -> str:
    return "休息" if day.weekday() >= 5 else "正常"


def _cells(person: Person, year: int, month: int) -> list[str]:
    last = monthrange(year, month)[1]
    return [person.days.get(d, default_cell(date(year, month, d))) for d in range(1, last + 1)]


def dingtalk(people: list[Person], year: int, month: int, *, period: tuple[date, date] | None = None,
             sheet: str = "月度汇总") -> bytes:
    last = monthrange(year, month)[1]
    first_day, last_day = period or (date(year, month, 1), date(year, month, last))
    book = Workbook()
    ws = book.active
    ws.title = sheet
    singles = ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "出勤天数", "休息天数", "工作时长(分钟)",
               "迟到次数", "迟到时长(分钟)", "早退次数", "上班缺卡次数", "下班缺卡次数", "旷工天数"]
    leave = ["事假(天)", "病假(天)", "调休(小时)"]
    width = len(singles) + len(leave) + last
    ws.cell(1, 1, f"月度汇总 统计日期：{first_day:%Y-%m-%d} 至 {last_day:%Y-%m-%d}")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, f"报表生成时间：{last_day:%Y-%m-%d} 23:10")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for i, title in enumerate(singles, start=1):
        ws.cell(3, i, title)
        ws.merge_cells(start_row=3, start_column=i, end_row=4, end_column=i)
    start = len(singles) + 1
    ws.cell(3, start, "请假")
    ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + len(leave) - 1)
    for j, title in enumerate(leave):
        ws.cell(4, start + j, title)
    day_col = start + len(leave)
    for d in range(1, last + 1):
        ws.cell(3, day_col + d - 1, d)  # a number cell, as exported
        ws.cell(4, day_col + d - 1, WEEKDAYS[date(year, month, d).weekday()])
    for r, person in enumerate(people, start=5):
        cells = _cells(person, year, month)
        row = [person.name, "默认考勤组", person.department, person.employee_no, "专员", f"u{r:04d}",
               sum(c != "休息" for c in cells), sum(c == "休息" for c in cells), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        for i, value in enumerate(row, start=1):
            ws.cell(r, i, value)
        for d, text in enumerate(cells, start=1):
            ws.cell(r, day_col + d - 1, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wecom(people: list[Person], year: int, month: int) -> bytes:
    last = monthrange(year, month)[1]
    book = Workbook()
    ws = book.active
    ws.title = "月报"
    width = 3 + 3 + 4 + last
    period = f"{year}-{month:02d}-01 至 {year}-{month:02d}-{last:02d}"
    ws.cell(1, 1, f"月报 统计时间：{period}  导出时间：{year}-{month:02d}-{last:02d}")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for i, title in enumerate(["姓名", "账号", "所属规则"], start=1):
        ws.cell(2, i, title)
        ws.merge_cells(start_row=2, start_column=i, end_row=3, end_column=i)
    ws.cell(2, 4, "基础信息")
    ws.merge_cells(start_row=2, start_column=4, end_row=2, end_column=6)
    for j, title in enumerate(["部门", "职务", "工号"]):
        ws.cell(3, 4 + j, title)
    ws.cell(2, 7, "考勤概况")
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=10)
    for j, title in enumerate(["应打卡天数", "正常天数", "异常天数", "实际工作时长(小时)"]):
        ws.cell(3, 7 + j, title)
    ws.cell(2, 11, "每日考勤")
    ws.merge_cells(start_row=2, start_column=11, end_row=2, end_column=10 + last)
    for d in range(1, last + 1):
        ws.cell(3, 10 + d, f"{month:02d}-{d:02d} 星期{WEEKDAYS[date(year, month, d).weekday()]}")
    for r, person in enumerate(people, start=4):
        cells = [c.replace("迟到", "迟到(").replace("分钟", "分钟)") if c.startswith("迟到") else c
                 for c in _cells(person, year, month)]
        row = [person.name, f"wx{r:04d}", "默认规则", person.department, "专员", person.employee_no,
               sum(c != "休息" for c in cells), sum(c == "正常" for c in cells), 0, 0]
        for i, value in enumerate(row, start=1):
            ws.cell(r, i, value)
        for d, text in enumerate(cells, start=1):
            ws.cell(r, 10 + d, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
