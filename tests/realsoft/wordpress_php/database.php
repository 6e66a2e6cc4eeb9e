<?php
// php database.php create|drop NAME [HOST PORT]: a fresh, empty MariaDB database, or none.
[, $action, $name] = $argv;
$host = $argv[3] ?? '127.0.0.1';
$port = (int) ($argv[4] ?? 3306);
if (!preg_match('/^[a-z0-9_]+$/', $name)) {
    fwrite(STDERR, "bad database name\n");
    exit(2);
}
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
try {
    $db = new mysqli($host, 'root', '', '', $port);
    $db->query("DROP DATABASE IF EXISTS `$name`");
    if ($action === 'create') {
        $db->query("CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci");
    }
} catch (mysqli_sql_exception $e) {
    fwrite(STDERR, "MariaDB at $host:$port: " . $e->getMessage() . "\n");
    exit(1);
}
echo "ok\n";
