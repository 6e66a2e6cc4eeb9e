<?php
// Router for `php -S`: what Apache's rewrite rules do for WordPress (Debian's /etc/wordpress/htaccess).
// Existing files are served as they are; every other path is a pretty permalink for index.php.
$root = $_SERVER['DOCUMENT_ROOT'];
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$file = $root . $path;
if ($path !== '/' && file_exists($file)) {
    if (is_dir($file)) {
        $file = rtrim($file, '/') . '/index.php';
        if (!file_exists($file)) {
            return false;
        }
    }
    if (substr($file, -4) !== '.php') {
        return false;
    }
    $_SERVER['SCRIPT_NAME'] = substr($file, strlen($root));
    $_SERVER['SCRIPT_FILENAME'] = $file;
    chdir(dirname($file));
    require $file;
    return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir($root);
require $root . '/index.php';
