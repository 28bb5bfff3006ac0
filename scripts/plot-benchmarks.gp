# Plots of a benchmark sweep (run-benchmarks.sh). Call with
#   gnuplot -e "data='bench-plot-data.txt'; out='DIR'" plot-benchmarks.gp
# `data` holds the blocks written by bench-plot-data.jq.
set terminal pngcairo size 900,560 font "sans,11"
set grid
set key top right
set style data linespoints

set output out."/bench-throughput.png"
set title "Throughput vs payload size (256 messages in flight per pair)"
set xlabel "payload (bytes)"
set ylabel "messages/s (millions)"
set logscale x 2
set xtics ("16" 16, "128" 128, "1024" 1024)
set yrange [0:*]
plot data index 0 using 1:($4/1e6) title "direct, 1 pair" lw 2 lc rgb "#999999" dt 2, \
     data index 0 using 1:($5/1e6) title "direct, 4 pairs" lw 2 lc rgb "#444444" dt 2, \
     data index 0 using 1:($2/1e6) title "switchboard, 1 pair" lw 2 lc rgb "#56b4e9", \
     data index 0 using 1:($3/1e6) title "switchboard, 4 pairs" lw 2 lc rgb "#0072b2"
unset logscale x
set xtics autofreq

set output out."/bench-latency.png"
set title "Round-trip latency (one 16-byte message in flight)"
set xlabel "percentile"
set ylabel "round trip (µs, log scale)"
set logscale y
set yrange [*:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top left
plot data index 1 using 2:xtic(1) title "switchboard" lc rgb "#0072b2", \
     data index 1 using 3 title "direct (no server)" lc rgb "#999999"
unset logscale y
set style data linespoints
set key top right

set output out."/bench-memory.png"
set xrange [0:*]
set title "Server resident memory per idle connection"
set xlabel "idle connections"
set ylabel "bytes per connection"
set yrange [0:*]
plot data index 2 using 1:2 title "switchboard" lw 2 lc rgb "#0072b2", \
     1024 title "target (1 KiB)" lw 1 lc rgb "#d55e00" dt 2

set output out."/bench-scaling.png"
set title "Throughput while idle connections are open (4 pairs, 16 B)"
set xlabel "idle connections"
set ylabel "messages/s (millions)"
set yrange [0:*]
plot data index 3 using 1:($2/1e6) title "switchboard" lw 2 lc rgb "#0072b2"
