"""Course files: the gradebook password and the grading secret are readable by the instructor only."""
import stat

from traitlets.config.loader import PyFileConfigLoader

from autograder.build.release import write_course_config
from autograder.course import write_private

URL = "postgresql://grader:s3cret-pw@127.0.0.1:5432/course"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_url_lives_in_a_private_file_that_nbgrader_reads(tmp_path):
    write_course_config(tmp_path, URL)
    assert mode(tmp_path / ".autograder.json") == 0o600
    assert "s3cret-pw" not in (tmp_path / "nbgrader_config.py").read_text()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.CourseDirectory.db_url == URL  # plain `nbgrader` commands still find the gradebook


def test_without_a_url_nbgrader_keeps_its_sqlite_default(tmp_path):
    write_course_config(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert "db_url" not in config.CourseDirectory
    assert not (tmp_path / ".autograder.json").exists()


def test_private_files_are_never_readable_by_others(tmp_path):
    path = tmp_path / ".grading_secret"
    path.write_text("old")
    path.chmod(0o644)  # a file made by an older version, or by hand
    write_private(path, "new secret")
    assert mode(path) == 0o600 and path.read_text() == "new secret"
