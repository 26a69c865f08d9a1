// devscope command entry point (filled by the analyze/sim/diff commands).
process.stderr.write("devscope: no commands yet\n");
process.exitCode = 2;
