<?php
// php options.php DOCROOT JSON: set WordPress options ({"name": value, ...}) on an installed blog.
require __DIR__ . '/boot.php';
set_options(json_decode($argv[2], true, 16, JSON_THROW_ON_ERROR));
echo "ok\n";
