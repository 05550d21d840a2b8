"""Drafts of the filing documents, from an answers document and its assessment.

    answers + assessment -> compose -> DraftSet -> render_files / write_drafts / zip_drafts

One folder per filing (the entity's 主体备案, then each algorithm to file) holds the 拟公示内容,
the 算法安全自评估报告, the 落实算法安全主体责任基本情况 and a sheet of the filing system's form
fields, as .docx and .md; ``filing.ics`` holds every dated duty and step. Every sentence carries a
fact from the answers or the assessment, or is a 【请填写】 prompt for what only the filer can say.
"""
