"""The only writers of the work area's state: each validates, audits (core.audit) and publishes events.

directives: directives and their tasks; documents: the incoming and outgoing registers; meetings: rooms,
meetings, agenda, attendance, votes, notes, conclusions; files: uploads; notify: in-app and e-mail notices.
"""
